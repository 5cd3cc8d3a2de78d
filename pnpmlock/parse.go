package pnpmlock

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/lock2nix/lock2nix/internal/jsondepth"
	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/tidwall/gjson"
	yaml "go.yaml.in/yaml/v3"
)

// Options say what the lockfile leaves to the package manager's
// configuration.
type Options struct {
	// TarballURL returns the registry address of name@version, for
	// packages whose resolution holds only an integrity; nil gives
	// "https://registry.npm.test/<name>/-/<base>-<version>.tgz"-style
	// addresses on Registry.
	TarballURL func(name, version string) string
	// Rewrite maps a tarball URL the lockfile records (a mirror's) to the
	// one to fetch; nil keeps it.
	Rewrite func(name, url string) string
	// Warn receives what the parser skips or doubts, one message a call,
	// on one line (escaped as lockfile.Error's are); nil drops it.
	Warn func(msg string)
}

// ParseFS reads pnpm-lock.yaml and the files beside it from fsys, whose
// root is the lockfile's folder (the workspace root). Every problem is
// returned at once, each a *lockfile.Error naming file:line:col.
func ParseFS(fsys iofs.FS, opts Options) (*Lock, error) {
	data, err := iofs.ReadFile(fsys, LockFile)
	if err != nil {
		return nil, err
	}
	p := &parser{reader: reader{file: LockFile}, fsys: fsys, opts: opts}
	return p.parse(data)
}

type parser struct {
	reader
	fsys iofs.FS
	opts Options
	// v6 lockfiles keep resolutions and dependencies in one section, keyed
	// "/name@version(peers)".
	v6 bool
	// peersOff: the lock's settings say autoInstallPeers: false.
	peersOff bool
	// packages by key (name@version, without the v6 slash).
	packages map[string]*yaml.Node
	// snapshots by key.
	snapshots map[string]*yaml.Node
	snapKeys  []*yaml.Node
	// workspace is pnpm-workspace.yaml's top node, or nil.
	workspace *yaml.Node
	wsReader  reader
	// rootManifest is the root package.json.
	rootManifest gjson.Result
	lock         *Lock
	patchByHash  map[string]*Patch
}

func (p *parser) warn(format string, args ...any) {
	if p.opts.Warn != nil {
		p.opts.Warn(oneline.Escape(fmt.Sprintf(format, args...)))
	}
}

func (p *parser) parse(data []byte) (*Lock, error) {
	docs, err := decodeDocs(p.file, data)
	if err != nil {
		return nil, err
	}
	// pnpm 12 writes the lock of its own installation (configDependencies,
	// packageManagerDependencies) as a first document; the project's lock
	// is the last.
	var top *yaml.Node
	for _, d := range docs {
		if b := body(d); b != nil {
			top = b
		}
	}
	if top == nil {
		return nil, &lockfile.Error{File: p.file, Msg: "empty lockfile: want lockfileVersion, importers and packages"}
	}
	if top.Kind != yaml.MappingNode {
		return nil, p.pos(top).Errorf("want a mapping with lockfileVersion, importers and packages, got %s", kindName(top))
	}
	vn := get(top, "lockfileVersion")
	if vn == nil || vn.Kind != yaml.ScalarNode {
		return nil, p.pos(top).Errorf("no lockfileVersion: is this a pnpm lockfile?")
	}
	version := vn.Value
	major, _, _ := strings.Cut(version, ".")
	switch major {
	case "6":
		p.v6 = true
	case "9":
	case "1", "2", "3", "4", "5":
		return nil, p.pos(vn).Errorf("lockfileVersion %s is the format of pnpm 7 and earlier, which lock2nix does not read: upgrade it with pnpm 8 or later (\"pnpm install --lockfile-only\" rewrites it as 6.0 or 9.0)", version)
	default:
		return nil, p.pos(vn).Errorf("lockfileVersion %s is not one lock2nix reads (6.x of pnpm 8, 9.0 of pnpm 9 and later)", version)
	}
	p.lock = &Lock{Version: version, Graph: &lockfile.Graph{}, HasBin: map[string]bool{}}
	p.readWorkspace()
	if m, err := iofs.ReadFile(p.fsys, "package.json"); err == nil && jsondepth.Valid(m) {
		p.rootManifest = gjson.ParseBytes(m)
	}
	p.readPatches(get(top, "patchedDependencies"))
	p.lock.Overrides = map[string]string{}
	p.pairs(get(top, "overrides"), "overrides", func(k, v *yaml.Node) {
		if s, ok := p.str(v, "overrides."+k.Value); ok {
			p.lock.Overrides[k.Value] = s
		}
	})
	if n := get(get(top, "settings"), "autoInstallPeers"); n != nil {
		p.lock.AutoInstallPeers = p.boolean(n, "settings.autoInstallPeers")
		p.peersOff = !p.lock.AutoInstallPeers
	}
	p.readPackages(top)
	p.readImporters(get(top, "importers"))
	p.readSnapshots()
	p.settings()
	p.graph()
	if err := p.err(); err != nil {
		return nil, err
	}
	if err := p.wsReader.err(); err != nil {
		return nil, err
	}
	return p.lock, nil
}

// readWorkspace reads pnpm-workspace.yaml when there is one.
func (p *parser) readWorkspace() {
	p.wsReader = reader{file: WorkspaceFile}
	data, err := iofs.ReadFile(p.fsys, WorkspaceFile)
	if err != nil {
		if !errors.Is(err, iofs.ErrNotExist) {
			p.wsReader.errs = append(p.wsReader.errs, &lockfile.Error{File: WorkspaceFile, Msg: err.Error()})
		}
		return
	}
	docs, err := decodeDocs(WorkspaceFile, data)
	if err != nil {
		var le *lockfile.Error
		if errors.As(err, &le) {
			p.wsReader.errs = append(p.wsReader.errs, le)
		}
		return
	}
	if len(docs) > 0 {
		p.workspace = body(docs[0])
	}
}

// readPatches reads patchedDependencies: {path, hash} records (pnpm 8 to
// 10), or bare hashes with the paths in pnpm-workspace.yaml (pnpm 11 and
// later) or package.json's pnpm.patchedDependencies.
func (p *parser) readPatches(n *yaml.Node) {
	p.patchByHash = map[string]*Patch{}
	wsPaths := map[string]string{}
	p.wsReader.pairs(get(p.workspace, "patchedDependencies"), "patchedDependencies", func(k, v *yaml.Node) {
		if s, ok := p.wsReader.str(v, "patchedDependencies."+k.Value); ok {
			wsPaths[k.Value] = s
		}
	})
	p.rootManifest.Get("pnpm.patchedDependencies").ForEach(func(k, v gjson.Result) bool {
		if _, ok := wsPaths[k.Str]; !ok {
			wsPaths[k.Str] = v.Str
		}
		return true
	})
	p.pairs(n, "patchedDependencies", func(k, v *yaml.Node) {
		pt := Patch{Key: k.Value, Pos: p.pos(k)}
		if v.Kind == yaml.ScalarNode {
			pt.Hash = v.Value
			pt.Path = wsPaths[k.Value]
			if pt.Path == "" {
				p.errorf(k, "patchedDependencies: %s: the lock records only its hash, and neither %s nor package.json names the patch file", k.Value, WorkspaceFile)
				return
			}
		} else {
			pt.Hash, _ = p.str(get(v, "hash"), "patchedDependencies."+k.Value+".hash")
			pt.Path, _ = p.str(get(v, "path"), "patchedDependencies."+k.Value+".path")
		}
		if pt.Path == "" || pt.Hash == "" {
			p.errorf(v, "patchedDependencies: %s: want a hash and a path", k.Value)
			return
		}
		clean, ok := relPath(".", pt.Path)
		if !ok {
			p.errorf(v, "patchedDependencies: %s: the patch path %q is absolute or not clean", k.Value, pt.Path)
			return
		}
		pt.Path = clean
		data, err := iofs.ReadFile(p.fsys, pt.Path)
		if err != nil {
			p.errorf(v, "patchedDependencies: %s: %v", k.Value, err)
			return
		}
		if !patchHashMatches(data, pt.Hash) {
			p.errorf(v, "patchedDependencies: %s: %s does not have the hash the lock records (%s): the patch changed since the lock was written; run pnpm install to update the lock", k.Value, pt.Path, pt.Hash)
			return
		}
		sum := sha256.Sum256(data)
		pt.SHA256 = sum[:]
		p.lock.Patches = append(p.lock.Patches, pt)
	})
	slices.SortFunc(p.lock.Patches, func(a, b Patch) int { return cmp.Compare(a.Path, b.Path) })
	for i := range p.lock.Patches {
		p.patchByHash[p.lock.Patches[i].Hash] = &p.lock.Patches[i]
	}
}

// readPackages indexes the packages (and, in v9, snapshots) sections.
func (p *parser) readPackages(top *yaml.Node) {
	p.packages = map[string]*yaml.Node{}
	p.snapshots = map[string]*yaml.Node{}
	p.pairs(get(top, "packages"), "packages", func(k, v *yaml.Node) {
		key := k.Value
		if p.v6 {
			key = strings.TrimPrefix(key, "/")
			p.snapshots[key] = v
			p.snapKeys = append(p.snapKeys, k)
			key = stripPeers(key)
			if _, ok := p.packages[key]; ok {
				return // one artifact, several peer instances
			}
		}
		p.packages[key] = v
	})
	if !p.v6 {
		p.pairs(get(top, "snapshots"), "snapshots", func(k, v *yaml.Node) {
			p.snapshots[k.Value] = v
			p.snapKeys = append(p.snapKeys, k)
		})
	}
}

// readImporters reads the workspace's projects.
func (p *parser) readImporters(n *yaml.Node) {
	if n == nil {
		p.errorf(nil, "no importers: lockfiles of pnpm 8 and later have one per project")
		return
	}
	p.pairs(n, "importers", func(k, v *yaml.Node) {
		dir, ok := relPath(".", k.Value)
		if !ok {
			p.errorf(k, "importers: %q is not a relative path inside the project", k.Value)
			return
		}
		if above(dir) {
			// The layout writes each importer's node_modules and .bin,
			// and the dev shell links them, at its path: never above the
			// lock.
			p.errorf(k, "importers: %q lies outside the lockfile's folder (pnpm's importers are the workspace's projects, below it)", k.Value)
			return
		}
		if slices.Contains(strings.Split(dir, "/"), "node_modules") {
			// pnpm finds no project there; the layout and the dev shell
			// would write through the links they make.
			p.errorf(k, "importers: %q lies in a node_modules folder, which the layout makes (and where a link may lead out of the project)", k.Value)
			return
		}
		imp := Importer{Path: dir, Pos: p.pos(k)}
		if m, err := iofs.ReadFile(p.fsys, path.Join(dir, "package.json")); err == nil && jsondepth.Valid(m) {
			imp.Name = gjson.GetBytes(m, "name").Str
			imp.Bins = manifestBins(gjson.ParseBytes(m))
		}
		injected := map[string]bool{}
		p.pairs(get(v, "dependenciesMeta"), "dependenciesMeta", func(dk, dv *yaml.Node) {
			if get(dv, "injected") != nil && p.boolean(get(dv, "injected"), "injected") {
				injected[dk.Value] = true
			}
		})
		for _, sec := range depSections {
			p.pairs(get(v, sec.name), sec.name, func(dk, dv *yaml.Node) {
				d := Dep{Alias: dk.Value, Kind: sec.kind, Pos: p.pos(dk), Injected: injected[dk.Value]}
				var ref string
				at := dv
				if dv.Kind == yaml.MappingNode {
					d.Spec, _ = p.str(get(dv, "specifier"), "specifier")
					ref, _ = p.str(get(dv, "version"), "version")
					if get(dv, "version") != nil {
						at = get(dv, "version")
					}
				} else {
					p.errorf(dv, "%s.%s: want {specifier, version}, got %s", sec.name, dk.Value, kindName(dv))
					return
				}
				if ref == "" {
					p.errorf(dv, "%s.%s: no version", sec.name, dk.Value)
					return
				}
				p.resolveRef(&d, dir, ref, at)
				if d.Snapshot != "" || d.Link != "" {
					imp.Deps = append(imp.Deps, d)
				}
			})
		}
		p.lock.Importers = append(p.lock.Importers, imp)
	})
	slices.SortStableFunc(p.lock.Importers, func(a, b Importer) int {
		if (a.Path == ".") != (b.Path == ".") {
			if a.Path == "." {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Path, b.Path)
	})
}

var depSections = []struct {
	name string
	kind lockfile.DepKind
}{
	{"dependencies", lockfile.DepProd},
	{"devDependencies", lockfile.DepDev},
	{"optionalDependencies", lockfile.DepOptional},
}

// resolveRef fills d.Snapshot or d.Link from a lockfile reference: a
// version with peer suffixes, a full dependency path (an npm: alias),
// link:<path> (from the folder dir) or a v6 "/name@version".
func (p *parser) resolveRef(d *Dep, dir, ref string, n *yaml.Node) {
	if rest, ok := strings.CutPrefix(ref, "link:"); ok {
		// "link:" alone: the project depends on itself.
		target, ok := relPath(dir, cmp.Or(rest, "."))
		if !ok {
			p.errorf(n, "%s: the link %q is not a relative path", d.Alias, ref)
			return
		}
		d.Link = target
		return
	}
	key := refToKey(ref, d.Alias, p.v6)
	if isRuntime(key) {
		return // left to the user's nodejs
	}
	if _, ok := p.snapshots[key]; !ok {
		p.errorf(n, "%s: %s is not in the lock's %s", d.Alias, key, cmp.Or(map[bool]string{true: "packages", false: "snapshots"}[p.v6]))
		return
	}
	d.Snapshot = key
}

// refToKey turns a dependency reference into a snapshot key, as pnpm's
// refToRelative does.
func refToKey(ref, alias string, v6 bool) string {
	if v6 {
		if rest, ok := strings.CutPrefix(ref, "/"); ok {
			return rest
		}
		if strings.HasPrefix(ref, "file:") {
			return ref
		}
		head := ref
		if i := strings.IndexByte(head, '('); i >= 0 {
			head = head[:i]
		}
		if strings.Contains(head, "/") {
			return ref // a tarball's or a git host's key
		}
		return alias + "@" + ref
	}
	if strings.HasPrefix(ref, "@") {
		return ref
	}
	at := strings.IndexByte(ref, '@')
	if at < 0 {
		return alias + "@" + ref
	}
	colon, paren := strings.IndexByte(ref, ':'), strings.IndexByte(ref, '(')
	if (colon < 0 || at < colon) && (paren < 0 || at < paren) {
		return ref
	}
	return alias + "@" + ref
}

// isRuntime reports pnpm 11's Node.js runtime entries ("node@runtime:22"):
// archives from nodejs.org, not packages.
func isRuntime(key string) bool {
	_, v := splitKey(key)
	return strings.HasPrefix(v, "runtime:")
}

// stripPeers drops a key's peer and patch suffixes: "a@1(b@2)" → "a@1".
func stripPeers(key string) string {
	at := strings.IndexByte(key[min(1, len(key)):], '@') + 1
	if at <= 0 {
		at = 0
	}
	if i := strings.IndexByte(key[at:], '('); i >= 0 {
		return key[:at+i]
	}
	return key
}

// splitKey splits "name@version" ("@scope/name@version").
func splitKey(key string) (name, version string) {
	if len(key) < 2 {
		return key, ""
	}
	i := strings.IndexByte(key[1:], '@')
	if i < 0 {
		return key, ""
	}
	return key[:i+1], key[i+2:]
}

// relPath joins rel to the folder dir and cleans it; false when rel is
// absolute, so that it leaves the tree any way.
func relPath(dir, rel string) (string, bool) {
	if rel == "" || path.IsAbs(rel) || strings.Contains(rel, "\\") || strings.ContainsRune(rel, 0) {
		return "", false
	}
	return path.Clean(path.Join(dir, rel)), true
}

// above reports a clean relative path that leads out of its folder.
func above(p string) bool {
	return p == ".." || strings.HasPrefix(p, "../")
}

// readSnapshots reads every snapshot's dependencies and folder.
func (p *parser) readSnapshots() {
	maxLen := 120
	for _, k := range p.snapKeys {
		key := k.Value
		if p.v6 {
			key = strings.TrimPrefix(key, "/")
		}
		v := p.snapshots[key]
		pkgKey := stripPeers(key)
		if isRuntime(key) {
			p.warn("%s: a Node.js runtime (pnpm's node@runtime:) is not installed into node_modules; the builders use the nodejs they are given", key)
			continue
		}
		if _, ok := p.packages[pkgKey]; !ok {
			p.errorf(k, "%s: no entry %s in the lock's packages", key, pkgKey)
			continue
		}
		name, _ := splitKey(pkgKey)
		if n, ok := p.str(get(p.packages[pkgKey], "name"), "name"); ok {
			name = n
		}
		s := Snapshot{Key: key, Package: pkgKey, Name: name, Dir: DepPathToFilename(key, maxLen), Pos: p.pos(k)}
		if s.Dir == "" || s.Dir == "." || s.Dir == ".." {
			p.errorf(k, "%q is not a dependency path pnpm writes", key)
			continue
		}
		if get(v, "optional") != nil {
			s.Optional = p.boolean(get(v, "optional"), "optional")
		}
		for _, sec := range []struct {
			name string
			kind lockfile.DepKind
		}{{"dependencies", lockfile.DepProd}, {"optionalDependencies", lockfile.DepOptional}} {
			p.pairs(get(v, sec.name), sec.name, func(dk, dv *yaml.Node) {
				ref, ok := p.str(dv, key+": "+sec.name+"."+dk.Value)
				if !ok {
					return
				}
				d := Dep{Alias: dk.Value, Kind: sec.kind, Pos: p.pos(dk)}
				p.resolveRef(&d, ".", ref, dv)
				if d.Snapshot != "" || d.Link != "" {
					s.Deps = append(s.Deps, d)
				}
			})
		}
		if i := strings.Index(key, "(patch_hash="); i >= 0 {
			h := key[i+len("(patch_hash="):]
			h = h[:max(0, strings.IndexByte(h, ')'))]
			if pt := p.patchByHash[h]; pt != nil {
				s.Patch = pt.Path
			} else {
				p.errorf(k, "%s: patched with %s, which patchedDependencies does not list", key, h)
			}
		}
		p.lock.Snapshots = append(p.lock.Snapshots, s)
	}
	slices.SortFunc(p.lock.Snapshots, func(a, b Snapshot) int { return cmp.Compare(a.Key, b.Key) })
	// Two snapshots in one folder would overwrite each other.
	for i := 1; i < len(p.lock.Snapshots); i++ {
		a, b := &p.lock.Snapshots[i-1], &p.lock.Snapshots[i]
		if a.Dir == b.Dir {
			p.errorf(nil, "%s and %s share the folder %s", a.Key, b.Key, a.Dir)
		}
	}
}

// settings reads the layout settings: pnpm's defaults for the version
// that wrote the lock, then package.json's "pnpm" field, the workspace
// file and the project's .npmrc.
func (p *parser) settings() {
	major := 10
	if p.v6 {
		major = 8
	}
	if pm := p.rootManifest.Get("packageManager").Str; strings.HasPrefix(pm, "pnpm@") {
		v, _, _ := strings.Cut(strings.TrimPrefix(pm, "pnpm@"), ".")
		if n, err := strconv.Atoi(v); err == nil {
			major = n
		}
	}
	s := Settings{
		NodeLinker:   "isolated",
		HoistPattern: []string{"*"},
		// pnpm 10's install --frozen-lockfile links no workspace project
		// into node_modules/.pnpm/node_modules (a plain install does).
		HoistWorkspacePackages:   false,
		VirtualStoreDirMaxLength: 120,
		BuildPolicy:              "all",
	}
	if major < 10 {
		s.PublicHoistPattern = []string{"*eslint*", "*prettier*"}
	} else {
		s.PublicHoistPattern = []string{}
		s.BuildPolicy = "allowlist"
	}
	pj := p.rootManifest.Get("pnpm")
	list := func(r gjson.Result) []string {
		var out []string
		r.ForEach(func(_, v gjson.Result) bool { out = append(out, v.Str); return true })
		return out
	}
	if r := pj.Get("onlyBuiltDependencies"); r.Exists() {
		s.OnlyBuiltDependencies = list(r)
	}
	if r := pj.Get("neverBuiltDependencies"); r.Exists() {
		s.NeverBuiltDependencies = list(r)
		if major >= 10 {
			s.BuildPolicy = "all" // pnpm 10 runs all but these when the list is set
		}
	}
	ws := p.workspace
	wr := &p.wsReader
	if n := get(ws, "onlyBuiltDependencies"); n != nil {
		s.OnlyBuiltDependencies = wr.strs(n, "onlyBuiltDependencies")
	}
	if n := get(ws, "neverBuiltDependencies"); n != nil {
		s.NeverBuiltDependencies = wr.strs(n, "neverBuiltDependencies")
		if major >= 10 {
			s.BuildPolicy = "all"
		}
	}
	// pnpm 11's allowBuilds: { name: true|false }.
	wr.pairs(get(ws, "allowBuilds"), "allowBuilds", func(k, v *yaml.Node) {
		if v.Kind == yaml.ScalarNode && v.Value == "true" {
			s.OnlyBuiltDependencies = append(s.OnlyBuiltDependencies, k.Value)
		} else {
			s.NeverBuiltDependencies = append(s.NeverBuiltDependencies, k.Value)
		}
	})
	if n := get(ws, "dangerouslyAllowAllBuilds"); n != nil {
		s.DangerouslyAllowAllBuilds = wr.boolean(n, "dangerouslyAllowAllBuilds")
	}
	set := map[string]string{}
	var linkerAt lockfile.Pos
	wr.pairs(ws, WorkspaceFile, func(k, v *yaml.Node) {
		if k.Value == "nodeLinker" {
			linkerAt = wr.pos(v)
		}
		switch k.Value {
		case "nodeLinker", "shamefullyHoist", "hoist", "hoistWorkspacePackages", "virtualStoreDirMaxLength":
			if str, ok := wr.str(v, k.Value); ok {
				set[k.Value] = str
			}
		case "hoistPattern":
			s.HoistPattern = wr.strs(v, k.Value)
		case "publicHoistPattern":
			s.PublicHoistPattern = wr.strs(v, k.Value)
		}
	})
	if data, err := iofs.ReadFile(p.fsys, ".npmrc"); err == nil {
		arrays := map[string][]string{}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' || line[0] == ';' {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"'`)
			if name, ok := strings.CutSuffix(k, "[]"); ok {
				arrays[name] = append(arrays[name], v)
				continue
			}
			switch k {
			case "node-linker":
				set["nodeLinker"] = v
				linkerAt = lockfile.Pos{File: ".npmrc", Line: i + 1, Col: 1}
			case "shamefully-hoist":
				set["shamefullyHoist"] = v
			case "hoist":
				set["hoist"] = v
			case "hoist-workspace-packages":
				set["hoistWorkspacePackages"] = v
			case "virtual-store-dir-max-length":
				set["virtualStoreDirMaxLength"] = v
			case "hoist-pattern":
				arrays["hoist-pattern"] = []string{v}
			case "public-hoist-pattern":
				arrays["public-hoist-pattern"] = []string{v}
			}
		}
		if a, ok := arrays["hoist-pattern"]; ok {
			s.HoistPattern = a
		}
		if a, ok := arrays["public-hoist-pattern"]; ok {
			s.PublicHoistPattern = a
		}
	}
	if v := set["nodeLinker"]; v != "" {
		s.NodeLinker = v
	}
	if set["shamefullyHoist"] == "true" {
		s.PublicHoistPattern = []string{"*"}
	}
	if set["hoist"] == "false" {
		s.HoistPattern = []string{}
	}
	if set["hoistWorkspacePackages"] == "true" {
		s.HoistWorkspacePackages = true
	}
	if n, err := strconv.Atoi(set["virtualStoreDirMaxLength"]); err == nil && n > 33 {
		s.VirtualStoreDirMaxLength = n
		for i := range p.lock.Snapshots {
			p.lock.Snapshots[i].Dir = DepPathToFilename(p.lock.Snapshots[i].Key, n)
		}
	}
	switch {
	case s.NodeLinker == "hoisted" && p.peersOff:
		// The hoister keeps peers where their dependents can see them
		// only when pnpm does not install them itself; the lock does not
		// carry what it would need (transitive peers) in a form lock2nix
		// reads.
		p.errs = append(p.errs, linkerAt.Errorf("node-linker=hoisted with autoInstallPeers false: lock2nix lays out the hoisted node_modules only with autoInstallPeers (pnpm's default); remove one of the settings"))
	case s.NodeLinker != "isolated" && s.NodeLinker != "hoisted":
		p.errs = append(p.errs, linkerAt.Errorf("node-linker=%s: lock2nix lays out pnpm's isolated and hoisted node_modules only (node-linker=pnp is not supported); remove the setting to build the isolated layout", s.NodeLinker))
	}
	p.lock.Settings = s
}

// manifestBins reads package.json's "bin": a map, or one path named after
// the package (without its scope). Names and paths that would leave their
// folder are left out.
func manifestBins(m gjson.Result) map[string]string {
	out := map[string]string{}
	add := func(name, target string) {
		name = path.Base(name)
		clean, ok := relPath(".", target)
		if name == "." || name == ".." || name == "/" || !ok || clean == ".." || strings.HasPrefix(clean, "../") {
			return
		}
		out[name] = clean
	}
	switch b := m.Get("bin"); {
	case b.Type == gjson.String:
		name := m.Get("name").Str
		add(name[strings.LastIndexByte(name, '/')+1:], b.Str)
	case b.IsObject():
		b.ForEach(func(k, v gjson.Result) bool {
			if v.Type == gjson.String {
				add(k.Str, v.Str)
			}
			return true
		})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
