package yarnlock

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/lock2nix/lock2nix/internal/githost"
	"github.com/lock2nix/lock2nix/internal/yamlerr"
	"github.com/lock2nix/lock2nix/lockfile"
	"go.yaml.in/yaml/v3"
)

// parseBerry turns berry's YAML into a Lock.
func parseBerry(file string, data []byte, m manifest, yarnrc []byte, opts Options) (*Lock, error) {
	l := &Lock{Format: Berry, workspaceDeps: map[string][]string{}, Descriptors: map[string]bool{}, Locators: map[string]string{}, RegistryPaths: map[string]string{}, Graph: &lockfile.Graph{}}
	if len(yarnrc) > 0 {
		s, err := readSettings(yarnrc)
		if err != nil {
			return nil, err
		}
		l.Settings = s
	}
	if l.Settings.NodeLinker == "" {
		l.Settings.NodeLinker = "pnp"
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlerr.At(file, err)
	}
	at := func(n *yaml.Node) lockfile.Pos { return lockfile.Pos{File: file, Line: n.Line, Col: n.Column} }
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, lockfile.Pos{File: file, Line: 1, Col: 1}.Errorf("want a mapping of entries")
	}
	top := doc.Content[0]
	reg := opts.Registry
	if reg == "" {
		reg = l.Settings.NpmRegistryServer
	}
	if reg == "" {
		reg = DefaultRegistry
	}
	g := l.Graph
	g.Root = lockfile.Root{Name: m.Name, Version: m.Version, Deps: m.edges()}
	var errs []error
	type pending struct {
		p       *lockfile.Package
		locator string
		patch   string // the base locator of a patch: resolution
		pos     lockfile.Pos
	}
	var all []pending
	byLocator := map[string]*lockfile.Package{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if k.Value == "__metadata" {
			if meta := mapping(v); meta != nil {
				if n := meta["version"]; n != nil {
					l.Version, _ = strconv.Atoi(n.Value)
				}
				if n := meta["cacheKey"]; n != nil {
					l.CacheKey = n.Value
				}
			}
			continue
		}
		for d := range strings.SplitSeq(k.Value, ",") {
			l.Descriptors[strings.TrimSpace(d)] = true
		}
		fields := mapping(v)
		if fields == nil {
			errs = append(errs, at(v).Errorf("entry %q: want a mapping", k.Value))
			continue
		}
		res := fields["resolution"]
		if res == nil || res.Kind != yaml.ScalarNode {
			errs = append(errs, at(k).Errorf("entry %q has no resolution", k.Value))
			continue
		}
		name, ref, ok := splitDescriptor(res.Value)
		if !ok {
			errs = append(errs, at(res).Errorf("resolution %q is not \"name@reference\"", res.Value))
			continue
		}
		p := &lockfile.Package{Name: name, Version: scalar(fields["version"])}
		src, patch, err := berrySource(name, ref, at(res), reg, opts.Scopes)
		if err == nil && patch != "" {
			var files []lockfile.Source
			files, err = patchFiles(ref, at(res))
			l.PatchFiles = append(l.PatchFiles, files...)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.Source = src
		if strings.HasPrefix(ref, "workspace:") {
			// What --immutable compares with the workspace's package.json.
			var names []string
			if dm := fields["dependencies"]; dm != nil {
				for j := 0; j+1 < len(dm.Content); j += 2 {
					names = append(names, dm.Content[j].Value)
				}
			}
			l.workspaceDeps[src.Path] = names
		}
		if src.Kind == lockfile.Link && src.Path == "." {
			// The root workspace is the project itself.
			continue
		}
		for _, d := range []struct {
			field string
			kind  lockfile.DepKind
		}{{"dependencies", lockfile.DepProd}, {"peerDependencies", lockfile.DepPeer}} {
			dm := fields[d.field]
			if dm == nil {
				continue
			}
			for j := 0; j+1 < len(dm.Content); j += 2 {
				p.Deps = append(p.Deps, lockfile.Edge{Name: dm.Content[j].Value, Kind: d.kind, Spec: dm.Content[j+1].Value})
			}
		}
		if meta := mapping(fields["dependenciesMeta"]); meta != nil {
			// built: false switches a dependency's scripts off; optional
			// makes it optional. Recorded on the edges' kinds.
			for j := range p.Deps {
				if dm := mapping(meta[p.Deps[j].Name]); dm != nil && scalar(dm["optional"]) == "true" && p.Deps[j].Kind == lockfile.DepProd {
					p.Deps[j].Kind = lockfile.DepOptional
				}
			}
		}
		if pm := mapping(fields["peerDependenciesMeta"]); pm != nil {
			for j := range p.Deps {
				if dm := mapping(pm[p.Deps[j].Name]); dm != nil && scalar(dm["optional"]) == "true" && p.Deps[j].Kind == lockfile.DepPeer {
					p.Deps[j].Kind = lockfile.DepPeerOptional
				}
			}
		}
		if bins := fields["bin"]; bins != nil {
			for j := 0; j+1 < len(bins.Content); j += 2 {
				p.Bins = append(p.Bins, lockfile.Bin{Name: bins.Content[j].Value, Path: bins.Content[j+1].Value})
			}
		}
		if c := fields["conditions"]; c != nil {
			p.Platform = conditions(c.Value)
		}
		all = append(all, pending{p, res.Value, patch, at(res)})
		byLocator[res.Value] = p
	}
	// What yarn asks the registry for: the path below its URL.
	for _, pd := range all {
		if u := pd.p.Source.URL; pd.p.Source.Kind == lockfile.Tarball && strings.HasPrefix(u, withSlash(registryFor(pd.p.Name, reg, opts.Scopes))) {
			l.RegistryPaths[pd.locator] = strings.TrimPrefix(u, withSlash(registryFor(pd.p.Name, reg, opts.Scopes)))
		}
	}
	// A patched package's files come from its base package's fetch; yarn
	// applies the patch itself.
	for _, pd := range all {
		if pd.patch == "" {
			continue
		}
		base := byLocator[pd.patch]
		switch {
		case base != nil:
			pd.p.Source = base.Source
		case pd.p.Source.Kind == lockfile.NoSource:
			errs = append(errs, pd.pos.Errorf("the patch's base package %s has no entry of its own", pd.patch))
		}
	}
	if len(errs) > 0 {
		return nil, joinInOrder(errs)
	}
	for _, pd := range all {
		g.Packages = append(g.Packages, pd.p)
	}
	assignIDs(g.Packages)
	paths := l.RegistryPaths
	l.RegistryPaths = map[string]string{}
	for _, pd := range all {
		l.Locators[pd.p.ID] = pd.locator
		if rp := paths[pd.locator]; rp != "" {
			l.RegistryPaths[pd.p.ID] = rp
		}
	}
	g.Sort()
	return l, nil
}

// patchFiles returns the files a patch: reference applies, relative to
// the project: yarn reads each in the build ("~/" from the project, other
// paths from the workspace in its locator parameter), so each is held to
// the boundary as local folders are. yarn's own patches (builtin<…>) are
// no files.
func patchFiles(ref string, pos lockfile.Pos) ([]lockfile.Source, error) {
	_, rest, _ := strings.Cut(ref, "#")
	list, params, _ := strings.Cut(rest, "::")
	dir := "."
	if q, err := url.ParseQuery(params); err == nil {
		if _, ws, ok := splitDescriptor(q.Get("locator")); ok {
			if d, ok := strings.CutPrefix(ws, "workspace:"); ok {
				dir = d
			}
		}
	}
	// As yarn reads it (patchUtils): the list decoded, then split at "&";
	// flags ("optional!") end at a path's last "!".
	decoded, err := url.PathUnescape(list)
	if err != nil {
		return nil, pos.Errorf("patch %q: %v", list, err)
	}
	var out []lockfile.Source
	for _, f := range strings.Split(decoded, "&") {
		if i := strings.LastIndexByte(f, '!'); i >= 0 {
			f = f[i+1:]
		}
		if f == "" || strings.HasPrefix(f, "builtin<") {
			continue
		}
		p, fromRoot := strings.CutPrefix(f, "~/")
		if err := checkRelative(p); err != nil {
			return nil, pos.Errorf("patch %q: %v", f, err)
		}
		if !fromRoot {
			p = path.Join(dir, p)
		}
		p = path.Clean(p)
		if err := checkInProject(p); err != nil {
			return nil, pos.Errorf("patch %q: %v", f, err)
		}
		out = append(out, lockfile.Source{Kind: lockfile.LocalTarball, Path: p, Origin: pos})
	}
	return out, nil
}

// berrySource reads a resolution's reference. For a patch: it returns the
// base package's locator, whose source the patched package shares.
func berrySource(name, ref string, pos lockfile.Pos, reg string, scopes map[string]string) (lockfile.Source, string, error) {
	protocol, rest, _ := strings.Cut(ref, ":")
	switch protocol {
	case "npm":
		version, params, _ := strings.Cut(rest, "::")
		if q, err := url.ParseQuery(params); err == nil && q.Get("__archiveUrl") != "" {
			// The URL Nix fetches: a registry's archive, never a file of
			// this machine (builtins.fetchurl would copy file:///etc/… into
			// the store).
			archive := q.Get("__archiveUrl")
			if u, err := url.Parse(archive); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !printable(archive) {
				return lockfile.Source{}, "", pos.Errorf("resolution %s@%s: __archiveUrl %q is not an http(s) URL", name, ref, archive)
			}
			return lockfile.Source{Kind: lockfile.Tarball, URL: archive, Origin: pos}, "", nil
		}
		if alias, v, ok := splitDescriptor(version); ok && len(version) > 1 && strings.Contains(version[1:], "@") {
			name, version = alias, v
		}
		if !validName(name) || version == "" || strings.ContainsAny(version, "/\\ ") || strings.Contains(version, "..") || !printable(version) {
			// Both make the registry path the build fetches.
			return lockfile.Source{}, "", pos.Errorf("resolution %s@%s: not a registry package name and version", name, ref)
		}
		return lockfile.Source{Kind: lockfile.Tarball, URL: registryFor(name, reg, scopes) + registryPath(name, version), Origin: pos}, "", nil
	case "patch":
		inner, _, _ := strings.Cut(rest, "#")
		base, err := url.PathUnescape(inner)
		if err != nil {
			return lockfile.Source{}, "", pos.Errorf("patch %q: %v", ref, err)
		}
		return lockfile.Source{}, base, nil
	case "workspace":
		p := path.Clean(rest)
		if err := checkRelative(p); err != nil {
			return lockfile.Source{}, "", pos.Errorf("workspace: %v", err)
		}
		return lockfile.Source{Kind: lockfile.Link, Path: p, Origin: pos}, "", nil
	case "file", "link", "portal":
		// yarn reads the path from the selector, after "#" when the
		// reference has a source before it, decoded (parseFileStyleRange).
		loc, params, _ := strings.Cut(rest, "::")
		if _, sel, ok := strings.Cut(loc, "#"); ok {
			loc = sel
		}
		loc, err := url.PathUnescape(loc)
		if err != nil {
			return lockfile.Source{}, "", pos.Errorf("%s: %v", protocol, err)
		}
		dir := ""
		if q, err := url.ParseQuery(params); err == nil {
			if _, ws, ok := splitDescriptor(q.Get("locator")); ok {
				dir, _ = strings.CutPrefix(ws, "workspace:")
			}
		}
		p := path.Clean(path.Join(dir, loc))
		if err := checkRelative(p); err != nil {
			return lockfile.Source{}, "", pos.Errorf("%s: %v", protocol, err)
		}
		if protocol != "link" {
			if err := checkInProject(p); err != nil {
				return lockfile.Source{}, "", pos.Errorf("%s: %v", protocol, err)
			}
		}
		kind := lockfile.Directory
		switch {
		case protocol == "link" || protocol == "portal":
			kind = lockfile.Link
		case isArchive(p):
			kind = lockfile.LocalTarball
		}
		return lockfile.Source{Kind: kind, Path: p, Origin: pos}, "", nil
	case "http", "https", "git", "git+https", "git+ssh", "ssh", "github":
		u, frag, _ := strings.Cut(ref, "#")
		if protocol == "github" {
			u = "https://github.com/" + rest
			u, _, _ = strings.Cut(u, "#")
		}
		if isGitURL(u) || protocol == "github" || strings.Contains(frag, "commit=") {
			rev := frag
			if q, err := url.ParseQuery(frag); err == nil && q.Get("commit") != "" {
				rev = q.Get("commit")
			}
			src, err := gitSource(u, rev, pos, githost.Berry)
			return src, "", err
		}
		return lockfile.Source{Kind: lockfile.Tarball, URL: u, Origin: pos}, "", nil
	}
	return lockfile.Source{}, "", pos.Errorf("resolution %s@%s: the %s: protocol is not supported", name, ref, protocol)
}

// validName reports whether name is a registry package name: "name" or
// "@scope/name", without "..", white space or control characters.
func validName(name string) bool {
	rest := name
	if scope, n, ok := strings.Cut(name, "/"); ok {
		if len(scope) < 2 || scope[0] != '@' {
			return false
		}
		rest = n
	}
	return rest != "" && rest != "." && rest != ".." && !strings.ContainsAny(rest, "/\\ @") && printable(name)
}

func printable(s string) bool {
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// conditions reads "os=linux & cpu=x64 & libc=glibc".
func conditions(s string) lockfile.Platform {
	var pl lockfile.Platform
	for part := range strings.SplitSeq(s, "&") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "os":
			pl.OS = append(pl.OS, v)
		case "cpu":
			pl.CPU = append(pl.CPU, v)
		case "libc":
			pl.Libc = append(pl.Libc, v)
		}
	}
	return pl
}

// mapping returns a mapping node's values by key, or nil.
func mapping(n *yaml.Node) map[string]*yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	m := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		m[n.Content[i].Value] = n.Content[i+1]
	}
	return m
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// readSettings reads the .yarnrc.yml settings lock2nix uses.
func readSettings(data []byte) (Settings, error) {
	var s struct {
		NodeLinker        string                    `yaml:"nodeLinker"`
		NpmRegistryServer string                    `yaml:"npmRegistryServer"`
		YarnPath          string                    `yaml:"yarnPath"`
		NpmScopes         map[string]map[string]any `yaml:"npmScopes"`
	}
	if err := yaml.Unmarshal(data, &s); err != nil {
		return Settings{}, fmt.Errorf(".yarnrc.yml: %v", err)
	}
	for scope, conf := range s.NpmScopes {
		if conf["npmRegistryServer"] != nil {
			// The build points yarn at its own registry through the
			// environment, which cannot override a scope's.
			return Settings{}, fmt.Errorf(".yarnrc.yml: npmScopes.%s.npmRegistryServer: a scope's own registry is not supported yet (the build serves every package from one registry)", scope)
		}
	}
	if yp := s.YarnPath; yp != "" {
		// The build's yarn hands over to it, in its copy of the project.
		if err := checkInside(yp); err != nil {
			return Settings{}, settingPos(data, "yarnPath").Errorf("yarnPath: %v", err)
		}
	}
	if r := s.NpmRegistryServer; r != "" {
		// Where registry packages are fetched from, at evaluation too
		// (builtins.fetchurl, unpinned): a file: URL would copy this
		// machine's files into the store.
		if u, err := url.Parse(r); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !printable(r) {
			return Settings{}, settingPos(data, "npmRegistryServer").Errorf("npmRegistryServer %q is not an http(s) URL with a host", r)
		}
	}
	return Settings{NodeLinker: s.NodeLinker, NpmRegistryServer: s.NpmRegistryServer, YarnPath: s.YarnPath}, nil
}

// settingPos is where .yarnrc.yml (data) states the top-level setting
// key's value, or the file alone.
func settingPos(data []byte, key string) lockfile.Pos {
	pos := lockfile.Pos{File: ".yarnrc.yml"}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) != 1 {
		return pos
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == key {
			v := top.Content[i+1]
			pos.Line, pos.Col = v.Line, v.Column
		}
	}
	return pos
}
