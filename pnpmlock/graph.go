package pnpmlock

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"regexp"
	"strings"
	"sync"

	"github.com/lock2nix/lock2nix/lockfile"
	yaml "go.yaml.in/yaml/v3"
)

// DepPathToFilename is the virtual store folder of the snapshot key, as
// pnpm 10 and later name it: "/" and other characters files cannot hold
// become "+", peer suffixes "_"-separated, and a name longer than maxLen
// (or with capitals) is cut and ends in a hash of the whole.
func DepPathToFilename(key string, maxLen int) string {
	name := key
	if !strings.HasPrefix(name, "file:") {
		name = strings.TrimPrefix(name, "/")
	} else {
		name = strings.Replace(name, ":", "+", 1)
	}
	name = unsafeChars().ReplaceAllString(name, "+")
	if strings.Contains(name, "(") {
		name = strings.TrimSuffix(name, ")")
		name = peerParens().ReplaceAllString(name, "_")
	}
	if len(name) > maxLen || name != strings.ToLower(name) && !strings.HasPrefix(name, "file+") {
		sum := sha256.Sum256([]byte(name))
		return name[:min(len(name), maxLen-33)] + "_" + hex.EncodeToString(sum[:])[:32]
	}
	return name
}

// The patterns are compiled when first needed, not when every lock2nix
// run starts.
var (
	unsafeChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[\\/:*?"<>|#]`) })
	peerParens  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\)\(|\(|\)`) })
)

// patchHashMatches checks a patch file against the hash a lock records:
// pnpm 9 and later write the sha256 of the text (CRLF read as LF) in hex,
// pnpm 8 the md5 in lower-case base32.
func patchHashMatches(data []byte, want string) bool {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	sum := sha256.Sum256([]byte(text))
	if hex.EncodeToString(sum[:]) == want {
		return true
	}
	m := md5.Sum([]byte(text))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m[:])) == want
}

// graph builds the shared graph: one Package per artifact.
func (p *parser) graph() {
	g := p.lock.Graph
	byID := map[string]*lockfile.Package{}
	flags := p.reach()
	for i := range p.lock.Snapshots {
		s := &p.lock.Snapshots[i]
		pkg := byID[s.Package]
		if pkg == nil {
			pkg = p.pkg(s.Package)
			if pkg == nil {
				continue
			}
			byID[s.Package] = pkg
			g.Packages = append(g.Packages, pkg)
		}
		f := flags[s.Key]
		if s.Optional {
			f |= lockfile.FlagOptional
		}
		pkg.Installs = append(pkg.Installs, lockfile.Install{Path: "node_modules/.pnpm/" + s.Dir + "/node_modules/" + s.Name, Flags: f})
		for _, d := range s.Deps {
			if !hasEdge(pkg.Deps, d.Alias, d.Kind) {
				pkg.Deps = append(pkg.Deps, lockfile.Edge{Name: d.Alias, Kind: d.Kind})
			}
		}
	}
	for _, imp := range p.lock.Importers {
		if imp.Path == "." {
			g.Root.Name = imp.Name
			g.Root.Version = p.rootManifest.Get("version").Str
			for _, d := range imp.Deps {
				g.Root.Deps = append(g.Root.Deps, lockfile.Edge{Name: d.Alias, Kind: d.Kind, Spec: d.Spec})
			}
			continue
		}
		g.Root.Workspaces = append(g.Root.Workspaces, imp.Path)
	}
	g.Sort()
}

func hasEdge(es []lockfile.Edge, name string, k lockfile.DepKind) bool {
	for _, e := range es {
		if e.Name == name && e.Kind == k {
			return true
		}
	}
	return false
}

// reach marks the snapshots that only importers' devDependencies lead to.
func (p *parser) reach() map[string]lockfile.Flags {
	snaps := map[string]*Snapshot{}
	for i := range p.lock.Snapshots {
		snaps[p.lock.Snapshots[i].Key] = &p.lock.Snapshots[i]
	}
	prod := map[string]bool{}
	var walk func(key string)
	walk = func(key string) {
		if prod[key] || snaps[key] == nil {
			return
		}
		prod[key] = true
		for _, d := range snaps[key].Deps {
			walk(d.Snapshot)
		}
	}
	for _, imp := range p.lock.Importers {
		for _, d := range imp.Deps {
			if d.Kind != lockfile.DepDev {
				walk(d.Snapshot)
			}
		}
	}
	out := map[string]lockfile.Flags{}
	for k := range snaps {
		if !prod[k] {
			out[k] = lockfile.FlagDev
		}
	}
	return out
}

// pkg makes the graph's package for the packages entry key.
func (p *parser) pkg(key string) *lockfile.Package {
	v := p.packages[key]
	name, version := splitKey(key)
	if n, ok := p.str(get(v, "name"), "name"); ok {
		name = n
	}
	if s, ok := p.str(get(v, "version"), "version"); ok {
		version = s
	}
	pkg := &lockfile.Package{ID: key, Name: name, Version: version}
	res := get(v, "resolution")
	if res == nil {
		p.errorf(v, "%s: no resolution", key)
		return nil
	}
	pkg.Source = p.source(key, name, version, res)
	if n := get(v, "hasBin"); n != nil && p.boolean(n, key+": hasBin") {
		p.lock.HasBin[key] = true
	}
	pkg.Platform = lockfile.Platform{
		OS:   p.strs(get(v, "os"), key+": os"),
		CPU:  p.strs(get(v, "cpu"), key+": cpu"),
		Libc: p.strs(get(v, "libc"), key+": libc"),
	}
	if n := get(v, "requiresBuild"); n != nil {
		pkg.HasInstallScript = p.boolean(n, key+": requiresBuild")
	}
	p.pairs(get(v, "engines"), key+": engines", func(k, ev *yaml.Node) {
		if s, ok := p.str(ev, key+": engines."+k.Value); ok {
			pkg.Engines = append(pkg.Engines, lockfile.Engine{Name: k.Value, Range: s})
		}
	})
	optionalPeer := map[string]bool{}
	p.pairs(get(v, "peerDependenciesMeta"), key+": peerDependenciesMeta", func(k, mv *yaml.Node) {
		optionalPeer[k.Value] = get(mv, "optional") != nil && get(mv, "optional").Value == "true"
	})
	p.pairs(get(v, "peerDependencies"), key+": peerDependencies", func(k, pv *yaml.Node) {
		kind := lockfile.DepPeer
		if optionalPeer[k.Value] {
			kind = lockfile.DepPeerOptional
		}
		spec, _ := p.str(pv, key+": peerDependencies."+k.Value)
		pkg.Deps = append(pkg.Deps, lockfile.Edge{Name: k.Value, Kind: kind, Spec: spec})
	})
	return pkg
}

// source reads a resolution: an integrity alone (the registry's
// tarball), a tarball URL (or file:), a git commit, or a folder.
func (p *parser) source(key, name, version string, res *yaml.Node) lockfile.Source {
	var hash lockfile.Hash
	integrity := get(res, "integrity")
	if n := integrity; n != nil {
		s, _ := p.str(n, key+": integrity")
		h, err := lockfile.ParseIntegrity(s)
		if err != nil {
			p.errorf(n, "%s: %v", key, err)
		}
		hash = h
	}
	typ, _ := p.str(get(res, "type"), key+": resolution.type")
	dir := ""
	if n := get(res, "path"); n != nil && (n.Value != "" || len(n.Content) > 0) {
		// A folder of a git repository (pnpm's "&path:"), which pnpm
		// installs in the repository's place: that folder of a git
		// checkout, which pnpm joins to it ("/sub" is "sub"). A git
		// host's archive's folder is refused, not installed as the whole
		// archive: the layout unpacks archives whole.
		v, _ := p.str(n, key+": path")
		if typ != "git" {
			p.errorf(n, "%s: the resolution names the folder %q of the repository's archive (path:), which pnpm installs in its place; lock2nix installs a folder only of a git checkout (type: git)", key, v)
			return lockfile.Source{}
		}
		dir = strings.TrimPrefix(v, "/")
		if err := lockfile.CheckDir(dir); err != nil {
			p.errorf(n, "%s: the resolution names the folder %q of the repository (path:), which %v", key, v, err)
			return lockfile.Source{}
		}
	}
	switch typ {
	case "git":
		repo, _ := p.str(get(res, "repo"), key+": repo")
		commit, _ := p.str(get(res, "commit"), key+": commit")
		if repo == "" {
			p.errorf(res, "%s: a git resolution without repo", key)
		}
		if !lockfile.IsCommit(commit) {
			p.errorf(res, "%s: the git resolution's commit %q is not a full commit id", key, commit)
		}
		if repo != "" && !gitRepoURL(repo) {
			// fetchGit takes a bare path too, and would read it
			// wherever it lies: a local repository must be a file: URL,
			// which the caller holds to the project's boundary.
			p.errorf(res, "%s: the git resolution's repo %q is not a URL (https://, ssh://, git://, file:, or user@host:path)", key, repo)
		}
		return lockfile.Source{Kind: lockfile.Git, URL: repo, Rev: commit, Origin: p.pos(res), Dir: dir}
	case "directory":
		dir, _ := p.str(get(res, "directory"), key+": directory")
		clean, ok := relPath(".", dir)
		if !ok {
			p.errorf(res, "%s: the directory %q is not a relative path", key, dir)
		}
		return lockfile.Source{Kind: lockfile.Directory, Path: clean, Origin: p.pos(res)}
	case "":
	default:
		p.errorf(res, "%s: resolution type %q is not one lock2nix knows (git, directory, or a tarball)", key, typ)
		return lockfile.Source{}
	}
	if t := get(res, "tarball"); t != nil {
		url, _ := p.str(t, key+": tarball")
		if rest, ok := strings.CutPrefix(url, "file:"); ok {
			clean, ok := relPath(".", rest)
			if !ok {
				p.errorf(t, "%s: the tarball %q is not a relative path", key, url)
			}
			return lockfile.Source{Kind: lockfile.LocalTarball, Path: clean, Hash: hash, Origin: p.pos(t)}
		}
		if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
			p.errorf(t, "%s: the tarball %q is neither http(s) nor file:", key, url)
			return lockfile.Source{}
		}
		if p.opts.Rewrite != nil {
			url = p.opts.Rewrite(name, url)
		}
		return lockfile.Source{Kind: lockfile.Tarball, URL: url, Hash: hash}
	}
	if hash.IsZero() {
		if integrity == nil {
			p.errorf(res, "%s: a resolution without integrity, tarball, git or directory", key)
		}
		return lockfile.Source{}
	}
	return lockfile.Source{Kind: lockfile.Tarball, URL: p.tarballURL(name, version), Hash: hash}
}

func (p *parser) tarballURL(name, version string) string {
	if p.opts.TarballURL != nil {
		return p.opts.TarballURL(name, version)
	}
	base := name[strings.LastIndexByte(name, '/')+1:]
	return "https://registry.npm.test/" + name + "/-/" + base + "-" + version + ".tgz"
}

// scpLike matches git's scp-like address, user@host:path, whose host has
// no slash.
var scpLike = regexp.MustCompile(`^[^/@:]+@[^/@:]+:`)

// gitRepoURL reports whether repo is an address git fetches over the
// network, or a file: URL: not a bare path.
func gitRepoURL(repo string) bool {
	if scpLike.MatchString(repo) {
		return true
	}
	scheme, rest, ok := strings.Cut(repo, "://")
	switch strings.TrimPrefix(scheme, "git+") {
	case "https", "http", "ssh", "git":
		host, _, _ := strings.Cut(rest, "/")
		return ok && host != ""
	case "file":
		return ok
	}
	return false
}
