package yarnlock

import (
	"cmp"
	"encoding/hex"
	"errors"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/lock2nix/lock2nix/internal/githost"
	"github.com/lock2nix/lock2nix/lockfile"
)

// parseClassicLock turns a classic lockfile into a Lock.
func parseClassicLock(file string, data []byte, m manifest, opts Options) (*Lock, error) {
	if !strings.Contains(string(data[:min(len(data), 512)]), "yarn lockfile v1") {
		return nil, lockfile.Pos{File: file}.Errorf(`neither yarn 1's "# yarn lockfile v1" nor berry's __metadata: not a yarn.lock`)
	}
	root, errs := parseClassic(file, data)
	l := &Lock{Format: Classic, Mirror: map[string]string{}, Descriptors: map[string]bool{}, Graph: &lockfile.Graph{}}
	g := l.Graph
	g.Root = lockfile.Root{Name: m.Name, Version: m.Version, Deps: m.edges()}
	mirror := map[*lockfile.Package]string{}
	for _, e := range root.kids {
		for _, k := range e.keys {
			l.Descriptors[k] = true
		}
		p, name, err := classicPackage(e, opts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if name != "" {
			mirror[p] = name
		}
		g.Packages = append(g.Packages, p)
	}
	if len(errs) > 0 {
		return nil, joinInOrder(errs)
	}
	assignIDs(g.Packages)
	for p, name := range mirror {
		l.Mirror[p.ID] = name
	}
	g.Sort()
	return l, nil
}

// joinInOrder joins errors sorted by their place in the file.
func joinInOrder(errs []error) error {
	slices.SortStableFunc(errs, func(a, b error) int {
		var ea, eb *lockfile.Error
		errors.As(a, &ea)
		errors.As(b, &eb)
		if ea == nil || eb == nil {
			return 0
		}
		return cmp.Or(cmp.Compare(ea.Line, eb.Line), cmp.Compare(ea.Col, eb.Col))
	})
	return errors.Join(errs...)
}

// classicPackage reads one entry: its keys are the specifiers it
// satisfies ("a@^1", "alias@npm:a@^1", "a@file:../a").
func classicPackage(e *node, opts Options) (*lockfile.Package, string, error) {
	if !e.object {
		return nil, "", e.pos.Errorf("want an entry \"name@range:\" followed by its fields")
	}
	p := &lockfile.Package{}
	var spec string
	for _, k := range e.keys {
		name, rng, ok := splitDescriptor(k)
		if !ok {
			return nil, "", e.pos.Errorf("key %q is not \"name@range\"", k)
		}
		if real, ok := strings.CutPrefix(rng, "npm:"); ok {
			if n, r, ok := splitDescriptor(real); ok {
				name, rng = n, r
			}
		}
		if p.Name == "" {
			p.Name, spec = name, rng
		}
	}
	field := func(k string) (string, *node, error) {
		c := e.get(k)
		if c == nil {
			return "", nil, nil
		}
		if c.object {
			return "", c, c.pos.Errorf("%s: want a value, not a block", k)
		}
		return c.value, c, nil
	}
	v, vn, err := field("version")
	if err != nil {
		return nil, "", err
	}
	if vn == nil {
		return nil, "", e.pos.Errorf("entry %s has no version", e.keys[0])
	}
	p.Version = v
	for _, d := range []struct {
		field string
		kind  lockfile.DepKind
	}{{"dependencies", lockfile.DepProd}, {"optionalDependencies", lockfile.DepOptional}} {
		c := e.get(d.field)
		if c == nil {
			continue
		}
		if !c.object {
			return nil, "", c.pos.Errorf("%s: want a block of \"name range\" lines", d.field)
		}
		for _, dep := range c.kids {
			if dep.object {
				return nil, "", dep.pos.Errorf("%s: want \"name range\"", d.field)
			}
			p.Deps = append(p.Deps, lockfile.Edge{Name: dep.keys[0], Kind: d.kind, Spec: dep.value})
		}
	}
	resolved, rn, err := field("resolved")
	if err != nil {
		return nil, "", err
	}
	integrity, in, err := field("integrity")
	if err != nil {
		return nil, "", err
	}
	var hash lockfile.Hash
	if in != nil {
		if hash, err = lockfile.ParseIntegrity(integrity); err != nil {
			return nil, "", in.vpos.Errorf("%v", err)
		}
	}
	if rn == nil {
		// Local folders have no resolved URL: the key says where they are.
		src, err := localSource(spec, e.pos)
		if err != nil {
			return nil, "", err
		}
		// yarn 1 reads a folder where the package.json that asks for it
		// says, which may be any key of the entry: all must name the one
		// folder the boundary checks.
		for _, k := range e.keys[1:] {
			_, rng, _ := splitDescriptor(k)
			if !strings.HasPrefix(rng, "file:") {
				continue
			}
			other, err := localSource(rng, e.pos)
			if err != nil {
				return nil, "", err
			}
			if other.Path != src.Path {
				return nil, "", e.pos.Errorf("entry names two local paths, %s and %s: lock2nix reads one folder a package", src.Path, other.Path)
			}
		}
		p.Source = src
		return p, "", nil
	}
	src, mirror, err := classicSource(p.Name, resolved, hash, rn.vpos, opts)
	if err != nil {
		return nil, "", err
	}
	if !safeFileName(mirror) {
		// The build links the source into the mirror under this name.
		return nil, "", rn.vpos.Errorf("resolved %q: yarn would name its offline mirror file %q, which is not a plain file name", resolved, mirror)
	}
	p.Source = src
	return p, mirror, nil
}

// localSource reads a file: or link: specifier.
func localSource(spec string, pos lockfile.Pos) (lockfile.Source, error) {
	kind := lockfile.Directory
	rest, ok := strings.CutPrefix(spec, "file:")
	if !ok {
		if rest, ok = strings.CutPrefix(spec, "link:"); !ok {
			return lockfile.Source{}, pos.Errorf("entry for %q has no resolved URL", spec)
		}
		kind = lockfile.Link
	}
	p := path.Clean(rest)
	if err := checkRelative(p); err != nil {
		return lockfile.Source{}, pos.Errorf("local path: %v", err)
	}
	if kind == lockfile.Directory {
		if err := checkInProject(p); err != nil {
			return lockfile.Source{}, pos.Errorf("local path: %v", err)
		}
		if isArchive(p) {
			kind = lockfile.LocalTarball
		}
	}
	return lockfile.Source{Kind: kind, Path: p, Origin: pos}, nil
}

func isArchive(p string) bool {
	return strings.HasSuffix(p, ".tgz") || strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tar")
}

// classicSource reads a resolved URL: a registry or other tarball with
// "#<sha1 hex>", or a git repository with "#<commit>". It returns the
// source and, for tarballs, the file name yarn's offline mirror gives it.
func classicSource(name, resolved string, hash lockfile.Hash, pos lockfile.Pos, opts Options) (lockfile.Source, string, error) {
	raw, frag, _ := strings.Cut(resolved, "#")
	if isGitURL(raw) {
		src, err := gitSource(raw, frag, pos, githost.Yarn1)
		return src, gitMirrorName(raw, frag), err
	}
	if rest, ok := strings.CutPrefix(raw, "file:"); ok {
		src, err := localSource("file:"+rest, pos)
		return src, "", err
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return lockfile.Source{}, "", pos.Errorf("resolved %q: want an http(s) tarball URL, a git URL or file:", resolved)
	}
	if hash.IsZero() && frag != "" {
		if d, err := hex.DecodeString(frag); err == nil && len(d) == lockfile.SHA1.Size() {
			hash = lockfile.Hash{Algo: lockfile.SHA1, Digest: d}
		}
	}
	fetch := raw
	for _, h := range opts.ReplaceHosts {
		if h == "always" || strings.EqualFold(u.Host, h) {
			if opts.Registry != "" && isRegistryPath(u.Path) {
				fetch = registryFor(name, opts.Registry, opts.Scopes) + strings.TrimPrefix(u.EscapedPath(), "/")
			}
			break
		}
	}
	return lockfile.Source{Kind: lockfile.Tarball, URL: fetch, Hash: hash, Origin: pos}, mirrorName(u.Path), nil
}

// safeFileName reports whether name is empty or a plain file name: no
// slash, no control character or space, not "." or "..".
func safeFileName(name string) bool {
	if name == "." || name == ".." {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c == 0x7f || c == '/' || c == '\\' {
			return false
		}
	}
	return true
}

// gitHosts are the public hosts fetched over https even when the lock
// names an ssh or git:// address: a build has no ssh keys.
var gitHosts = map[string]bool{"github.com": true, "gitlab.com": true, "bitbucket.org": true}

// gitSource checks a git repository's address and turns it into what Nix
// fetches; rev is the locked commit (the source is unpinned without one),
// m the yarn that wrote the lock, which decides whether www.github.com is
// GitHub.
func gitSource(raw, rev string, pos lockfile.Pos, m githost.Manager) (lockfile.Source, error) {
	addr := strings.TrimPrefix(raw, "git+")
	if user, rest, ok := strings.Cut(addr, "@"); ok && !strings.Contains(user, "/") && !strings.Contains(addr, "://") {
		// scp-like "git@host:owner/repo.git".
		host, p, _ := strings.Cut(rest, ":")
		addr = "ssh://" + user + "@" + host + "/" + p
	} else if rest, ok := strings.CutPrefix(addr, "ssh://"); ok {
		// "ssh://git@host:owner/repo.git": the scp-like form with a
		// scheme, which berry takes (it drops "ssh://" before cloning);
		// a port is digits.
		if host, p, ok := strings.Cut(rest, ":"); ok && !strings.Contains(host, "/") {
			if port, _, _ := strings.Cut(p, "/"); strings.Trim(port, "0123456789") != "" {
				addr = "ssh://" + host + "/" + p
			}
		}
	}
	u, err := url.Parse(addr)
	if err != nil || (u.Host == "" && u.Scheme != "file") {
		return lockfile.Source{}, pos.Errorf("git source %q is not a URL", raw)
	}
	switch u.Scheme {
	case "https", "http", "ssh", "git", "file":
	default:
		return lockfile.Source{}, pos.Errorf("git source %q has unsupported scheme %q", raw, u.Scheme)
	}
	if githost.Canonical(m, u) {
		addr = u.String()
	}
	if gitHosts[u.Hostname()] && (u.Scheme == "ssh" || u.Scheme == "git") {
		u.Scheme, u.User, u.Host = "https", nil, u.Hostname()
		addr = u.String()
	}
	if archive, ok := githost.Archive(u, rev); ok {
		// Fetched as GitHub's archive of the commit, as yarn 1 and npm
		// fetch GitHub dependencies (and berry first tries): a fixed-output
		// fetch at build time whose hash the pins file gives.
		return lockfile.Source{Kind: lockfile.Tarball, URL: archive, Repo: addr, Rev: rev, Origin: pos}, nil
	}
	return lockfile.Source{Kind: lockfile.Git, URL: addr, Rev: rev, Origin: pos}, nil
}

// isGitURL reports whether a resolved URL is a git repository rather than
// a tarball.
func isGitURL(s string) bool {
	for _, p := range []string{"git+", "git://", "ssh://", "git@"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	u, err := url.Parse(s)
	return err == nil && strings.HasSuffix(u.Path, ".git")
}

// registryURLName matches a registry tarball path, as yarn 1's tarball
// fetcher does to name the file in its offline mirror: the scope (if any)
// and the tarball's base name.
// It is compiled when first needed, not when every lock2nix run starts.
var registryURLName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`/(?:(@[^/]+)(?:/|%2[fF]))?[^/]+/(?:-|_attachments)/(?:@[^/]+/)?([^/]+)$`)
})

func isRegistryPath(p string) bool { return registryURLName().MatchString(p) }

// mirrorName is the offline mirror's file name for a tarball URL path.
func mirrorName(p string) string {
	if m := registryURLName().FindStringSubmatch(p); m != nil {
		if m[1] != "" {
			return m[1] + "-" + m[2]
		}
		return m[2]
	}
	return path.Base(p)
}

// gitMirrorName is the offline mirror's file name for a git source:
// "<last path segment>-<commit>", as yarn 1's git fetcher names it.
func gitMirrorName(raw, commit string) string {
	p := raw
	if u, err := url.Parse(raw); err == nil && u.Path != "" {
		p = u.Path
	}
	name := path.Base(p)
	if commit != "" {
		name += "-" + commit
	}
	return strings.TrimPrefix(name, ":")
}
