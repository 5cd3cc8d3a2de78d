// Package dunelock reads dune lock directories (dune.lock/: lock.dune and
// one .pkg file per package) into a [lockfile.Graph].
//
// It knows dune's S-expression files and nothing of Nix. Both layouts dune
// has written are read: <name>.pkg, and the portable <name>.<version>.pkg
// with per-platform build, install and depends. Every field and action is
// decoded into dunelock's typed recipe (recipe.go, vocab.go); anything
// unknown is an error naming the file, line and column.
package dunelock

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	neturl "net/url"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lock2nix/lock2nix/dunelock/internal/sexp"
	"github.com/lock2nix/lock2nix/lockfile"
)

// DefaultDir is the lock directory's default name.
const DefaultDir = "dune.lock"

// Options control how a lock directory is read.
type Options struct {
	// Pins gives commits for git sources (dune leaves those of development
	// pins without one), by package name; a pin applies whatever the
	// URL's "#" part names. A git source without a commit or a pin is
	// returned unpinned ([lockfile.Source.Pinned] is false).
	Pins map[string]string
	// Dir is the project's folder on this machine, absolute and with
	// symbolic links resolved, as dune writes it into local pins
	// ((copy /home/me/proj/vendor/foo), file:///home/me/proj/foo): a
	// local source at an absolute path inside it is read as the path
	// relative to the project. "" reads no absolute path as inside.
	Dir string
}

// ParseFS reads the lock directory dir of the project whose root is fsys.
// File names in errors and FilesDir paths are relative to the project.
// It reads several files of fsys at once, as os.DirFS, embed.FS and
// fstest.MapFS allow.
//
// When only package files are wrong (unreadable, malformed, naming a
// package the lock does not hold, a version twice), ParseFS returns the
// lock of the others along with every such error, so that a caller can
// report what else is wrong in the same run; any other error returns a
// nil Lock.
func ParseFS(fsys fs.FS, dir string, opts Options) (*Lock, error) {
	seen := &absPins{}
	lock, err := parseFS(fsys, dir, opts, "", seen)
	if opts.Dir == "" || len(seen.paths) == 0 {
		return lock, err
	}
	// The lock was written in another folder (a checkout elsewhere, the
	// Nix store's copy): read its absolute pins from the folder they share.
	// A package file stops at its first error: pins found only now must
	// name files of the project under the same folder too.
	if prefix := commonPrefix(fsys, seen.paths); prefix != "" {
		read := &absPins{}
		lock2, err2 := parseFS(fsys, dir, opts, prefix, read)
		if commonPrefix(fsys, read.paths) != "" {
			return lock2, err2
		}
	}
	return lock, err
}

// absPins collects the absolute local paths that lie outside Options.Dir.
type absPins struct {
	mu    sync.Mutex
	paths []string
}

// commonPrefix returns the one folder P under which every path of paths
// names a file or folder of the project (fsys) by the same relative
// path, the highest such P when several fit; "" when there is none. The
// relative path is never empty: no pin is read as the project itself.
func commonPrefix(fsys fs.FS, paths []string) string {
	var common map[string]bool
	for _, p := range paths {
		parts := strings.Split(strings.TrimPrefix(path.Clean(p), "/"), "/")
		cands := map[string]bool{}
		for k := range parts {
			rel := path.Join(parts[k:]...)
			if !fs.ValidPath(rel) || rel == "." {
				continue
			}
			if _, err := fs.Stat(fsys, rel); err == nil {
				cands["/"+path.Join(parts[:k]...)] = true
			}
		}
		if common == nil {
			common = cands
		} else {
			maps.DeleteFunc(common, func(c string, _ bool) bool { return !cands[c] })
		}
		if len(common) == 0 {
			return ""
		}
	}
	best := ""
	for c := range common {
		if best == "" || len(c) < len(best) {
			best = c
		}
	}
	return best
}

// parseFS reads the lock; an absolute local path under prefix (besides
// opts.Dir) is read relative to it. seen, when not nil, collects the
// absolute paths not under opts.Dir (read under prefix or outside).
func parseFS(fsys fs.FS, dir string, opts Options, prefix string, seen *absPins) (*Lock, error) {
	d := &decoder{fsys: fsys, dir: dir, opts: opts, prefix: prefix, seen: seen}
	g := &lockfile.Graph{}
	lock := &Lock{Graph: g, Recipes: map[string]*Recipe{}}
	if err := d.lockDune(lock); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".pkg") {
			names = append(names, e.Name())
		}
	}
	// The .pkg files are read and decoded on every processor; results
	// and errors are then taken in file order.
	type result struct {
		p    *lockfile.Package
		r    *Recipe
		file string
		err  error
	}
	results := make([]result, len(names))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), (len(names)+15)/16) {
		wg.Go(func() {
			dd := &decoder{fsys: fsys, dir: dir, opts: opts, prefix: prefix, seen: seen}
			for i := int(next.Add(1) - 1); i < len(names); i = int(next.Add(1) - 1) {
				p, r, err := dd.pkgFile(names[i], entries)
				results[i] = result{p, r, dd.file, err}
			}
		})
	}
	wg.Wait()
	files := map[*lockfile.Package]string{}
	recipes := map[*lockfile.Package]*Recipe{}
	// A package whose file is wrong is still one the lock holds.
	held := map[string]bool{"dune": true}
	byID := map[string]string{}
	for i, r := range results {
		held[strings.SplitN(names[i], ".", 2)[0]] = true
		if r.err != nil {
			d.errs = append(d.errs, r.err)
			continue
		}
		id := r.p.Name + "." + r.p.Version
		if other, dup := byID[id]; dup {
			// dune reads one package per name and version
			// (Package_version.Map.of_list_exn).
			d.errs = append(d.errs, &lockfile.Error{File: r.file, Msg: fmt.Sprintf("holds version %s of %s, as %s does: remove one of them", r.p.Version, r.p.Name, path.Base(other))})
			continue
		}
		byID[id] = r.file
		files[r.p] = r.file
		recipes[r.p] = r.r
		g.Packages = append(g.Packages, r.p)
	}
	d.errs = append(d.errs, checkDepends(g, files, held))
	assignIDs(g)
	for p, r := range recipes {
		lock.Recipes[p.ID] = r
	}
	g.Root.Name = projectName(fsys)
	g.Sort()
	return lock, errors.Join(d.errs...)
}

type decoder struct {
	fsys fs.FS
	dir  string
	opts Options
	// prefix is the folder the lock's absolute pins were written in,
	// when not opts.Dir (see commonPrefix); seen collects those pins.
	prefix string
	seen   *absPins
	errs   []error
	file   string // the file being decoded, for errors
	// repos collects the package's git+file repositories, as paths
	// relative to the project, for the boundary check of LocalSources.
	repos []lockfile.Source
}

func (d *decoder) errAt(n *sexp.Node, format string, args ...any) error {
	return &lockfile.Error{File: d.file, Line: n.Pos.Line, Col: n.Pos.Col, Msg: fmt.Sprintf(format, args...)}
}

// pos is the place of n in the file being decoded.
func (d *decoder) pos(n *sexp.Node) lockfile.Pos {
	return lockfile.Pos{File: d.file, Line: n.Pos.Line, Col: n.Pos.Col}
}

func (d *decoder) read(name string) ([]*sexp.Node, error) {
	d.file = path.Join(d.dir, name)
	data, err := fs.ReadFile(d.fsys, d.file)
	if err != nil {
		return nil, err
	}
	nodes, err := sexp.Parse(d.file, data)
	if err != nil {
		var se *sexp.Error
		if errors.As(err, &se) {
			return nil, &lockfile.Error{File: se.File, Line: se.Pos.Line, Col: se.Pos.Col, Msg: se.Msg}
		}
		return nil, err
	}
	return nodes, nil
}

// fields checks that every top-level form is (name …), known and given
// once, and returns them by name.
func (d *decoder) fields(nodes []*sexp.Node, known ...string) (map[string]*sexp.Node, error) {
	out := map[string]*sexp.Node{}
	for _, n := range nodes {
		name := n.Head()
		if name == "" {
			return nil, d.errAt(n, "want a field such as (%s …), got %s", known[0], short(n))
		}
		if !slices.Contains(known, name) {
			return nil, d.errAt(n, "unknown field %q (want one of %s)", name, strings.Join(known, ", "))
		}
		if _, dup := out[name]; dup {
			return nil, d.errAt(n, "field %q given twice", name)
		}
		out[name] = n
	}
	return out, nil
}

func short(n *sexp.Node) string {
	s := n.String()
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// lockDune reads lock.dune.
func (d *decoder) lockDune(lock *Lock) error {
	nodes, err := d.read("lock.dune")
	if err != nil {
		return err
	}
	if len(nodes) == 0 || nodes[0].Head() != "lang" {
		return &lockfile.Error{File: d.file, Line: 1, Col: 1, Msg: "want (lang package 0.1) first"}
	}
	lang := nodes[0]
	if len(lang.List) != 3 || atom(lang.List[1]) != "package" {
		return d.errAt(lang, "want (lang package <version>)")
	}
	f, err := d.fields(nodes[1:], "dependency_hash", "ocaml", "repositories", "expanded_solver_variable_bindings", "solved_for_platforms")
	if err != nil {
		return err
	}
	if n, ok := f["ocaml"]; ok {
		if len(n.List) != 2 || atom(n.List[1]) == "" {
			return d.errAt(n, "want (ocaml <package>)")
		}
		lock.Compiler = atom(n.List[1])
	}
	if n, ok := f["solved_for_platforms"]; ok {
		for _, e := range n.List[1:] {
			env, err := d.env(e)
			if err != nil {
				return err
			}
			lock.Platforms = append(lock.Platforms, env)
		}
	}
	return nil
}

func atom(n *sexp.Node) string {
	if n.Kind == sexp.List {
		return ""
	}
	s, _ := n.Text()
	return s
}

// env reads ((arch x86_64) (os linux)).
func (d *decoder) env(n *sexp.Node) (PlatformEnv, error) {
	if n.Kind != sexp.List {
		return nil, d.errAt(n, "want a platform such as ((arch x86_64) (os linux))")
	}
	var env PlatformEnv
	for _, kv := range n.List {
		if kv.Kind != sexp.List || len(kv.List) != 2 || atom(kv.List[0]) == "" {
			return nil, d.errAt(kv, "want (<variable> <value>)")
		}
		v, ok := kv.List[1].Text()
		if !ok {
			return nil, d.errAt(kv.List[1], "want a plain value")
		}
		env = append(env, VarValue{Var: atom(kv.List[0]), Value: v})
	}
	return env, nil
}

var pkgFields = []string{"version", "install", "build", "dune", "depends", "depexts", "source", "dev", "avoid", "exported_env", "extra_sources", "enabled_on_platforms"}

// pkgFile reads one <name>[.<version>].pkg.
func (d *decoder) pkgFile(name string, entries []fs.DirEntry) (*lockfile.Package, *Recipe, error) {
	nodes, err := d.read(name)
	if err != nil {
		return nil, nil, err
	}
	base := strings.TrimSuffix(name, ".pkg")
	pkgName, _, _ := strings.Cut(base, ".")
	f, err := d.fields(nodes, pkgFields...)
	if err != nil {
		return nil, nil, err
	}
	p := &lockfile.Package{Name: pkgName}
	r := &Recipe{}
	d.repos = nil
	defer func() { r.repos = d.repos }()
	v, ok := f["version"]
	if !ok {
		return nil, nil, &lockfile.Error{File: d.file, Msg: "no (version …) field"}
	}
	if len(v.List) != 2 || atom(v.List[1]) == "" {
		return nil, nil, d.errAt(v, "want (version <version>)")
	}
	p.Version = atom(v.List[1])
	if n, ok := f["source"]; ok {
		if len(n.List) != 2 {
			return nil, nil, d.errAt(n, "want (source (fetch …)) or (source (copy …))")
		}
		if p.Source, err = d.source(n.List[1], pkgName); err != nil {
			return nil, nil, err
		}
	}
	if n, ok := f["extra_sources"]; ok {
		for _, e := range n.List[1:] {
			if e.Kind != sexp.List || len(e.List) != 2 {
				return nil, nil, d.errAt(e, "want (<path> (fetch …))")
			}
			dest, ok := e.List[0].Text()
			if !ok || dest == "" || path.IsAbs(dest) || slices.Contains(strings.Split(dest, "/"), "..") {
				return nil, nil, d.errAt(e.List[0], "extra source path %s must be relative and stay in the source", e.List[0])
			}
			src, err := d.source(e.List[1], pkgName)
			if err != nil {
				return nil, nil, err
			}
			r.Extra = append(r.Extra, ExtraSource{Path: dest, Source: src})
		}
	}
	for _, field := range []string{"build", "install"} {
		n, ok := f[field]
		if !ok {
			continue
		}
		if len(n.List) != 2 {
			return nil, nil, d.errAt(n, "want (%s <action>)", field)
		}
		branches, err := d.branches(n.List[1], field == "build")
		if err != nil {
			return nil, nil, err
		}
		if field == "build" {
			r.Build = branches
		} else {
			r.Install = branches
		}
	}
	if n, ok := f["dune"]; ok {
		if len(n.List) != 1 {
			return nil, nil, d.errAt(n, "want (dune)")
		}
		if r.Build != nil {
			return nil, nil, d.errAt(n, "(dune) and (build …) exclude each other")
		}
		r.Build = []Branch{{Action: &Action{Kind: Dune, Pos: d.pos(n)}}}
	}
	if n, ok := f["depends"]; ok {
		if r.Depends, err = d.depends(n); err != nil {
			return nil, nil, err
		}
		slices.SortStableFunc(r.Depends, func(a, b Depend) int { return cmp.Compare(a.Name, b.Name) })
		for i, dep := range r.Depends {
			if i == 0 || dep.Name != r.Depends[i-1].Name {
				p.Deps = append(p.Deps, lockfile.Edge{Name: dep.Name, Kind: lockfile.DepProd})
			}
		}
	}
	if n, ok := f["dev"]; ok {
		switch {
		case len(n.List) == 1:
			r.Dev = true
		case len(n.List) == 2 && (atom(n.List[1]) == "true" || atom(n.List[1]) == "false"):
			r.Dev = atom(n.List[1]) == "true"
		default:
			return nil, nil, d.errAt(n, "want (dev) or (dev <true|false>)")
		}
	}
	if n, ok := f["exported_env"]; ok {
		for _, u := range n.List[1:] {
			eu, err := d.envUpdate(u)
			if err != nil {
				return nil, nil, err
			}
			r.Env = append(r.Env, eu)
		}
	}
	if n, ok := f["depexts"]; ok {
		if r.Depexts, err = d.depexts(n); err != nil {
			return nil, nil, err
		}
	}
	if n, ok := f["enabled_on_platforms"]; ok {
		if len(n.List) == 2 && atom(n.List[1]) == "all" {
			// the default
		} else if len(n.List) == 2 && n.List[1].Head() == "only" {
			for _, e := range n.List[1].List[1:] {
				env, err := d.env(e)
				if err != nil {
					return nil, nil, err
				}
				r.EnabledOn = append(r.EnabledOn, env)
			}
		} else {
			return nil, nil, d.errAt(n, "want (enabled_on_platforms all) or (enabled_on_platforms (only <platform>…))")
		}
	}
	// Files copied over the source: <name>.files or <name>.<version>.files.
	for _, dirName := range []string{base + ".files", pkgName + ".files"} {
		if slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return (e.IsDir() || e.Type()&fs.ModeSymlink != 0) && e.Name() == dirName }) {
			r.FilesDir = path.Join(d.dir, dirName)
			break
		}
	}
	return p, r, nil
}

// source reads (fetch (url U) (checksum C)) or (copy P).
func (d *decoder) source(n *sexp.Node, pkg string) (lockfile.Source, error) {
	switch n.Head() {
	case "copy":
		if len(n.List) != 2 {
			return lockfile.Source{}, d.errAt(n, "want (copy <path>)")
		}
		p, ok := n.List[1].Text()
		if !ok || p == "" {
			return lockfile.Source{}, d.errAt(n.List[1], "want a path")
		}
		p, err := d.local(n.List[1], p)
		if err != nil {
			return lockfile.Source{}, err
		}
		return lockfile.Source{Kind: lockfile.Directory, Path: p, Origin: d.pos(n.List[1])}, nil
	case "fetch":
	default:
		return lockfile.Source{}, d.errAt(n, "unknown source %s: want (fetch …) or (copy …)", short(n))
	}
	var url, checksum *sexp.Node
	for _, c := range n.List[1:] {
		switch c.Head() {
		case "url":
			url = c
		case "checksum":
			checksum = c
		default:
			return lockfile.Source{}, d.errAt(c, "unknown fetch field %s: want (url …) or (checksum …)", short(c))
		}
	}
	if url == nil || len(url.List) != 2 {
		return lockfile.Source{}, d.errAt(n, "want (url <url>) in (fetch …)")
	}
	u, ok := url.List[1].Text()
	if !ok || u == "" {
		return lockfile.Source{}, d.errAt(url.List[1], "want a URL")
	}
	var hash lockfile.Hash
	if checksum != nil {
		if len(checksum.List) != 2 {
			return lockfile.Source{}, d.errAt(checksum, "want (checksum <algo>=<hex>)")
		}
		c, _ := checksum.List[1].Text()
		h, err := lockfile.ParseHex(c)
		if err != nil {
			return lockfile.Source{}, d.errAt(checksum.List[1], "%v", err)
		}
		hash = h
	}
	scheme, rest, hasScheme := strings.Cut(u, "://")
	switch {
	case !hasScheme && (path.IsAbs(u) || isWindowsPath(u)):
		// opam reads a bare absolute path as a local file.
		p, err := d.local(url.List[1], u)
		if err != nil {
			return lockfile.Source{}, err
		}
		if isArchive(p) {
			return lockfile.Source{Kind: lockfile.LocalTarball, Path: p, Hash: hash, Origin: d.pos(url.List[1])}, nil
		}
		return lockfile.Source{Kind: lockfile.Directory, Path: p, Origin: d.pos(url.List[1])}, nil
	case scheme == "git" || strings.HasPrefix(scheme, "git+"):
		// dune fetches git://, git+https://, git+ssh://, git+file:// …
		// with git. What follows "#" is a commit, a branch or a tag; a
		// pin wins over any of them. Without a commit the source is
		// returned unpinned (Rev holds the ref) for the caller to pin or
		// reject.
		addr, rev, _ := strings.Cut(rest, "#")
		if pin, ok := d.opts.Pins[pkg]; ok {
			if !lockfile.IsCommit(pin) {
				return lockfile.Source{}, d.errAt(url.List[1], "the pin of %s, %q, is not a full commit id", pkg, pin)
			}
			rev = pin
		}
		transport := "git"
		if scheme != "git" {
			transport = strings.TrimPrefix(scheme, "git+")
		}
		if transport == "file" {
			// A repository on this machine: Nix would read it wherever
			// it lies, so the URL Nix is given must lead inside the
			// project as Nix reads it (it decodes %2e%2e, %2F), on this
			// machine (not in the folder a lock written elsewhere names):
			// the boundary then checks the links on the way.
			at := d.pos(url.List[1])
			fu, err := neturl.Parse("file://" + addr)
			if err != nil || fu.Host != "" || !path.IsAbs(fu.Path) {
				return lockfile.Source{}, d.errAt(url.List[1], "git+file repository %s is not a file URL with an absolute path", u)
			}
			rel, ok := under(d.opts.Dir, path.Clean(fu.Path))
			if d.opts.Dir == "" || !ok {
				return lockfile.Source{}, d.outside(url.List[1], fu.Path)
			}
			d.repos = append(d.repos, lockfile.Source{Kind: lockfile.Directory, Path: rel, Origin: at})
		}
		return lockfile.Source{Kind: lockfile.Git, URL: transport + "://" + addr, Rev: rev}, nil
	case scheme == "http" || scheme == "https":
		return lockfile.Source{Kind: lockfile.Tarball, URL: u, Hash: hash}, nil
	case scheme == "file":
		// A path, checksum or not: it must stay inside the project's
		// boundary like every local path, never be fetched from anywhere
		// on the host.
		p, err := d.local(url.List[1], rest)
		if err != nil {
			return lockfile.Source{}, err
		}
		if isArchive(p) {
			return lockfile.Source{Kind: lockfile.LocalTarball, Path: p, Hash: hash, Origin: d.pos(url.List[1])}, nil
		}
		return lockfile.Source{Kind: lockfile.Directory, Path: p, Origin: d.pos(url.List[1])}, nil
	}
	return lockfile.Source{}, d.errAt(url.List[1], "unsupported URL scheme in %s: want http(s), git, git+…, or file", u)
}

// local returns a local source's path relative to the project. dune
// writes its local pins at absolute paths: one inside the project's
// folder on this machine (Options.Dir), or inside the folder the lock was
// written in (prefix, found by commonPrefix), is that relative path; any
// other absolute path, a Windows drive path (C:/…, C:\…) or a network
// path (\\host\…) among them, is outside.
func (d *decoder) local(n *sexp.Node, p string) (string, error) {
	if isWindowsPath(p) {
		return "", d.outside(n, p)
	}
	if !path.IsAbs(p) {
		return p, nil
	}
	clean := path.Clean(p)
	for _, dir := range []string{d.opts.Dir, d.prefix} {
		if dir == "" {
			continue
		}
		dir = path.Clean(dir)
		if rel, ok := under(dir, clean); ok {
			if rel != "." && dir == d.prefix && d.seen != nil {
				d.seen.mu.Lock()
				d.seen.paths = append(d.seen.paths, clean)
				d.seen.mu.Unlock()
			}
			return rel, nil
		}
	}
	if d.seen != nil {
		d.seen.mu.Lock()
		d.seen.paths = append(d.seen.paths, clean)
		d.seen.mu.Unlock()
	}
	return "", d.outside(n, p)
}

// isWindowsPath reports a path of a Windows machine: on a drive (C:/,
// C:\), or on the network (\\host\share).
func isWindowsPath(p string) bool {
	drive := len(p) >= 3 && p[1] == ':' && (p[2] == '/' || p[2] == '\\') && ('a' <= p[0]|0x20 && p[0]|0x20 <= 'z')
	return drive || strings.HasPrefix(p, `\\`)
}

// outside reports a local source at an absolute path: the generated file
// reads local sources from the project folder it is given (src), so that
// it builds on any machine.
// under returns clean, a clean absolute path, relative to the folder dir
// ("." for dir itself), and whether it lies there. Cleaned, the rest
// holds no "..": it stays inside.
func under(dir, clean string) (string, bool) {
	dir = path.Clean(dir)
	if clean == dir {
		return ".", true
	}
	return strings.CutPrefix(clean, strings.TrimSuffix(dir, "/")+"/")
}

func (d *decoder) outside(n *sexp.Node, p string) error {
	return d.errAt(n, "local source %s is outside the project: lock2nix reads local sources from the project folder, so that the Nix file builds on any machine; copy it into the project and refer to it by a path relative to the project root", p)
}

func isArchive(p string) bool {
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".zip"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

// branches reads a build or install value: a plain action, or the
// portable (all_platforms …) and (choice …) forms.
func (d *decoder) branches(n *sexp.Node, isBuild bool) ([]Branch, error) {
	unwrap := func(v *sexp.Node) (*Action, error) {
		// Portable builds wrap the action: ((action A)) or ((dune)).
		if isBuild && v.Kind == sexp.List && len(v.List) == 1 && v.List[0].Kind == sexp.List {
			inner := v.List[0]
			switch inner.Head() {
			case "action":
				if len(inner.List) != 2 {
					return nil, d.errAt(inner, "want (action <action>)")
				}
				return d.action(inner.List[1])
			case "dune":
				return &Action{Kind: Dune, Pos: d.pos(inner)}, nil
			}
		}
		return d.action(v)
	}
	switch n.Head() {
	case "all_platforms":
		if len(n.List) != 2 {
			return nil, d.errAt(n, "want (all_platforms <value>)")
		}
		a, err := unwrap(n.List[1])
		if err != nil {
			return nil, err
		}
		return []Branch{{Action: a}}, nil
	case "choice":
		var out []Branch
		for _, br := range n.List[1:] {
			if br.Kind != sexp.List || len(br.List) != 2 {
				return nil, d.errAt(br, "want (<platforms> <value>) in (choice …)")
			}
			envs, err := d.envList(br.List[0])
			if err != nil {
				return nil, err
			}
			a, err := unwrap(br.List[1])
			if err != nil {
				return nil, err
			}
			out = append(out, Branch{Platforms: envs, Action: a})
		}
		return out, nil
	}
	a, err := d.action(n)
	if err != nil {
		return nil, err
	}
	return []Branch{{Action: a}}, nil
}

func (d *decoder) envList(n *sexp.Node) ([]PlatformEnv, error) {
	if n.Kind != sexp.List {
		return nil, d.errAt(n, "want a list of platforms")
	}
	var out []PlatformEnv
	for _, e := range n.List {
		env, err := d.env(e)
		if err != nil {
			return nil, err
		}
		out = append(out, env)
	}
	return out, nil
}

// depends reads (depends a b), (depends (all_platforms (a b))) or
// (depends (choice ((<platforms>) (a b)) …)).
func (d *decoder) depends(n *sexp.Node) ([]Depend, error) {
	names := func(l []*sexp.Node, platforms []PlatformEnv) ([]Depend, error) {
		var out []Depend
		for _, x := range l {
			name := atom(x)
			if name == "" {
				return nil, d.errAt(x, "want a package name")
			}
			out = append(out, Depend{Name: name, Platforms: platforms})
		}
		return out, nil
	}
	if len(n.List) == 2 && n.List[1].Kind == sexp.List {
		v := n.List[1]
		switch v.Head() {
		case "all_platforms":
			if len(v.List) != 2 || v.List[1].Kind != sexp.List {
				return nil, d.errAt(v, "want (all_platforms (<name>…))")
			}
			return names(v.List[1].List, nil)
		case "choice":
			// dune takes the first branch that matches: a later branch's
			// names apply unless an earlier branch matches, which only
			// a platform compatible with both can do.
			var out []Depend
			var earlier []PlatformEnv
			for _, br := range v.List[1:] {
				if br.Kind != sexp.List || len(br.List) != 2 || br.List[1].Kind != sexp.List {
					return nil, d.errAt(br, "want (<platforms> (<name>…)) in (choice …)")
				}
				envs, err := d.envList(br.List[0])
				if err != nil {
					return nil, err
				}
				es, err := names(br.List[1].List, envs)
				if err != nil {
					return nil, err
				}
				var unless []PlatformEnv
				for _, e := range earlier {
					if slices.ContainsFunc(envs, func(x PlatformEnv) bool { return compatible(e, x) }) {
						unless = append(unless, e)
					}
				}
				for i := range es {
					es[i].Unless = unless
				}
				out = append(out, es...)
				earlier = append(earlier, envs...)
			}
			return out, nil
		}
	}
	return names(n.List[1:], nil)
}

// compatible reports whether one platform can match both envs: no
// variable has different values in them.
func compatible(a, b PlatformEnv) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Var == y.Var && x.Value != y.Value {
				return false
			}
		}
	}
	return true
}

// depexts reads the system packages a package needs. A non-portable lock
// lists names, (depexts unzip gnupg); a portable one lists entries, each
// names that always apply, (unzip gnupg), or names and the condition under
// which they do, ((libgmp-dev) (= %{os_family} debian)).
func (d *decoder) depexts(n *sexp.Node) ([]Depext, error) {
	entries := n.List[1:]
	if !slices.ContainsFunc(entries, func(e *sexp.Node) bool { return e.Kind == sexp.List }) {
		names, err := d.names(entries)
		if err != nil {
			return nil, err
		}
		return []Depext{{Names: names}}, nil
	}
	var out []Depext
	for _, e := range entries {
		if e.Kind != sexp.List {
			return nil, d.errAt(e, "want (<name>…) or ((<name>…) <condition>) in a list of depexts, got %s", short(e))
		}
		if len(e.List) == 0 || e.List[0].Kind != sexp.List {
			names, err := d.names(e.List)
			if err != nil {
				return nil, err
			}
			out = append(out, Depext{Names: names})
			continue
		}
		if len(e.List) != 2 {
			return nil, d.errAt(e, "want ((<name>…) <condition>)")
		}
		names, err := d.names(e.List[0].List)
		if err != nil {
			return nil, err
		}
		c, err := d.cond(e.List[1])
		if err != nil {
			return nil, err
		}
		out = append(out, Depext{Names: names, Cond: c})
	}
	return out, nil
}

// names reads a list of system package names.
func (d *decoder) names(l []*sexp.Node) ([]string, error) {
	var out []string
	for _, x := range l {
		s, ok := x.Text()
		if !ok || s == "" {
			return nil, d.errAt(x, "want a system package name, got %s", short(x))
		}
		out = append(out, s)
	}
	return out, nil
}

func (d *decoder) envUpdate(n *sexp.Node) (EnvUpdate, error) {
	var op EnvOp
	ok := n.Kind == sexp.List && len(n.List) == 3 && atom(n.List[1]) != ""
	if ok {
		op, ok = lookup[EnvOp](envNames[:], atom(n.List[0]))
	}
	if !ok {
		return EnvUpdate{}, d.errAt(n, "want (<op> <VAR> <value>) with op one of %s", strings.Join(envNames[:], " "))
	}
	v, err := d.term(n.List[2])
	if err != nil {
		return EnvUpdate{}, err
	}
	return EnvUpdate{Pos: d.pos(n), Op: op, Var: atom(n.List[1]), Value: v}, nil
}

// shapes gives, for each action, what follows its name: terms, then
// the one action it wraps (wraps) or the actions it holds (many, at least
// minBody). Actions with more particular forms (withenv, when,
// with-accepted-exit-codes) are read by their own code.
var shapes = [numActionKinds]struct {
	minTerms, maxTerms int // maxTerms -1: any number
	wraps, many        bool
	minBody            int
}{
	Run: {1, -1, false, false, 0}, Runexec: {1, -1, false, false, 0}, DynamicRun: {1, -1, false, false, 0},
	Echo: {1, -1, false, false, 0}, Cat: {1, -1, false, false, 0},
	System: {1, 1, false, false, 0}, Bash: {1, 1, false, false, 0}, Patch: {1, 1, false, false, 0}, Cram: {1, 1, false, false, 0},
	Substitute: {2, 2, false, false, 0}, WriteFile: {2, 2, false, false, 0}, Copy: {2, 2, false, false, 0},
	CopyLineDirective: {2, 2, false, false, 0}, Diff: {2, 2, false, false, 0}, DiffOptional: {2, 2, false, false, 0},
	Cmp: {2, 2, false, false, 0}, FormatDuneFile: {2, 2, false, false, 0},
	Progn: {0, 0, false, true, 0}, Concurrent: {0, 0, false, true, 0},
	PipeStdout: {0, 0, false, true, 2}, PipeStderr: {0, 0, false, true, 2}, PipeOutputs: {0, 0, false, true, 2},
	Chdir: {1, 1, true, false, 0}, Setenv: {2, 2, true, false, 0},
	WithStdoutTo: {1, 1, true, false, 0}, WithStderrTo: {1, 1, true, false, 0}, WithOutputsTo: {1, 1, true, false, 0},
	WithStdinFrom: {1, 1, true, false, 0},
	IgnoreStdout:  {0, 0, true, false, 0}, IgnoreStderr: {0, 0, true, false, 0}, IgnoreOutputs: {0, 0, true, false, 0},
	NoInfer: {0, 0, true, false, 0},
	Dune:    {0, 0, false, false, 0},
}

// action reads one action.
func (d *decoder) action(n *sexp.Node) (*Action, error) {
	op := n.Head()
	if op == "" {
		return nil, d.errAt(n, "want an action such as (run …), got %s", short(n))
	}
	if op == "copy-and-add-line-directive" {
		op = CopyLineDirective.String()
	}
	kind, ok := lookup[ActionKind](actionNames[:], op)
	if !ok {
		return nil, d.errAt(n, "unknown action %q: dune has no such action", op)
	}
	a := &Action{Kind: kind, Pos: d.pos(n)}
	args := n.List[1:]
	var err error
	switch kind {
	case When:
		if len(args) != 2 {
			return nil, d.errAt(n, "want (when <condition> <action>)")
		}
		if a.Cond, err = d.cond(args[0]); err != nil {
			return nil, err
		}
		return a, d.body(a, args[1:])
	case Withenv:
		if len(args) != 2 || args[0].Kind != sexp.List {
			return nil, d.errAt(n, "want (withenv (<updates>…) <action>)")
		}
		for _, u := range args[0].List {
			eu, err := d.envUpdate(u)
			if err != nil {
				return nil, err
			}
			a.Env = append(a.Env, eu)
		}
		return a, d.body(a, args[1:])
	case WithAcceptedExitCodes:
		if len(args) != 2 {
			return nil, d.errAt(n, "want (with-accepted-exit-codes <codes> <action>)")
		}
		codes, err := d.exitCodes(args[0])
		if err != nil {
			return nil, err
		}
		a.Codes = &codes
		return a, d.body(a, args[1:])
	}
	shape := shapes[kind]
	nTerms := len(args)
	if shape.wraps {
		nTerms--
	} else if shape.many {
		nTerms = 0
	}
	if nTerms < shape.minTerms || (shape.maxTerms >= 0 && nTerms > shape.maxTerms) || len(args)-nTerms < shape.minBody {
		return nil, d.errAt(n, "wrong number of arguments to %s", op)
	}
	for _, x := range args[:nTerms] {
		t, err := d.term(x)
		if err != nil {
			return nil, err
		}
		a.Args = append(a.Args, t)
	}
	if err := d.body(a, args[nTerms:]); err != nil {
		return nil, err
	}
	// dune reads a redirection to %{null} as ignoring that output.
	if ignore, ok := ignores[kind]; ok && len(a.Args) == 1 && isVar(a.Args[0], "null") {
		a.Kind, a.Args = ignore, nil
	}
	return a, nil
}

var ignores = map[ActionKind]ActionKind{WithStdoutTo: IgnoreStdout, WithStderrTo: IgnoreStderr, WithOutputsTo: IgnoreOutputs}

func isVar(t Term, v string) bool {
	return t.Form == TermText && len(t.Parts) == 1 && t.Parts[0].Var == v
}

// body reads the actions an action holds.
func (d *decoder) body(a *Action, nodes []*sexp.Node) error {
	for _, x := range nodes {
		c, err := d.action(x)
		if err != nil {
			return err
		}
		a.Body = append(a.Body, c)
	}
	return nil
}

// exitCodes reads with-accepted-exit-codes' predicate: a number, or
// (or …), (and …), (not …) of predicates.
func (d *decoder) exitCodes(n *sexp.Node) (ExitCodes, error) {
	if n.Kind != sexp.List {
		s, _ := n.Text()
		code, err := strconv.Atoi(s)
		if err != nil || code < 0 || code > 255 {
			return ExitCodes{}, d.errAt(n, "want an exit code from 0 to 255, or (or …), (and …), (not …) of them, got %s", short(n))
		}
		return ExitCodes{Op: CondEq, Code: code}, nil
	}
	var op CondOp
	switch n.Head() {
	case "or":
		op = CondOr
	case "and":
		op = CondAnd
	case "not":
		op = CondNot
	default:
		return ExitCodes{}, d.errAt(n, "want an exit code from 0 to 255, or (or …), (and …), (not …) of them, got %s", short(n))
	}
	c := ExitCodes{Op: op}
	for _, x := range n.List[1:] {
		sub, err := d.exitCodes(x)
		if err != nil {
			return ExitCodes{}, err
		}
		c.Args = append(c.Args, sub)
	}
	return c, nil
}

// cond reads a blang condition.
func (d *decoder) cond(n *sexp.Node) (*Cond, error) {
	if n.Kind != sexp.List {
		if s, ok := n.Text(); ok && (s == "true" || s == "false") {
			op, _ := lookup[CondOp](condNames[:], s)
			return &Cond{Op: op}, nil
		}
		t, err := d.term(n)
		if err != nil {
			return nil, err
		}
		return &Cond{Op: CondTerm, Terms: []Term{t}}, nil
	}
	op, ok := condForm(n)
	switch {
	case !ok:
	case op == CondAnd || op == CondOr || op == CondAndAbsorb || op == CondOrAbsorb || op == CondNot:
		c := &Cond{Op: op}
		for _, x := range n.List[1:] {
			sub, err := d.cond(x)
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, sub)
		}
		if op == CondNot && len(c.Args) != 1 {
			return nil, d.errAt(n, "want (not <condition>)")
		}
		return c, nil
	case op.IsComparison():
		if len(n.List) != 3 {
			return nil, d.errAt(n, "want (%s <a> <b>)", op)
		}
		c := &Cond{Op: op}
		for _, x := range n.List[1:] {
			t, err := d.term(x)
			if err != nil {
				return nil, err
			}
			c.Terms = append(c.Terms, t)
		}
		return c, nil
	}
	// A slang form that yields true or false.
	t, err := d.term(n)
	if err != nil {
		return nil, err
	}
	return &Cond{Op: CondTerm, Terms: []Term{t}}, nil
}

// condForm returns the operator of a list that is a condition's form:
// and, or, not, the absorbing and/or, or a comparison.
func condForm(n *sexp.Node) (CondOp, bool) {
	op, ok := lookup[CondOp](condNames[:], n.Head())
	return op, ok && op != CondTrue && op != CondFalse && op != CondTerm
}

// term reads an argument: text, or a slang form.
func (d *decoder) term(n *sexp.Node) (Term, error) {
	if n.Kind != sexp.List {
		t := Term{}
		for _, p := range n.Parts {
			t.Parts = append(t.Parts, Part{Lit: p.Lit, Var: p.Var})
		}
		return t, nil
	}
	if len(n.List) == 0 || n.List[0].Kind != sexp.Atom {
		return Term{}, d.errAt(n, "want a value or a form such as (concat …), got %s", short(n))
	}
	op := n.Head()
	args := n.List[1:]
	form, ok := lookup[TermForm](termNames[:], op)
	if !ok || form == TermText || form == TermCond {
		if _, isCond := condForm(n); isCond {
			c, err := d.cond(n)
			return Term{Form: TermCond, Cond: c}, err
		}
		return Term{}, d.errAt(n, "unknown form %q in an argument", op)
	}
	t := Term{Form: form}
	sub := func(from int) error {
		for _, x := range args[from:] {
			s, err := d.term(x)
			if err != nil {
				return err
			}
			t.Args = append(t.Args, s)
		}
		return nil
	}
	var err error
	switch form {
	case TermConcat:
		err = sub(0)
	case TermWhen:
		if len(args) != 2 {
			return t, d.errAt(n, "want (when <condition> <term>)")
		}
		if t.Cond, err = d.cond(args[0]); err == nil {
			err = sub(1)
		}
	case TermIf:
		if len(args) != 3 {
			return t, d.errAt(n, "want (if <condition> <then> <else>)")
		}
		if t.Cond, err = d.cond(args[0]); err == nil {
			err = sub(1)
		}
	case TermCatchUndefinedVar:
		if len(args) != 2 {
			return t, d.errAt(n, "want (catch_undefined_var <term> <fallback>)")
		}
		err = sub(0)
	case TermHasUndefinedVar:
		if len(args) != 1 {
			return t, d.errAt(n, "want (has_undefined_var <term>)")
		}
		err = sub(0)
	}
	return t, err
}

// checkDepends reports depends that name no package of the lock (dune
// itself excepted: the running dune provides it).
func checkDepends(g *lockfile.Graph, files map[*lockfile.Package]string, have map[string]bool) error {
	var errs []error
	for _, p := range g.Packages {
		for _, e := range p.Deps {
			if !have[e.Name] {
				errs = append(errs, &lockfile.Error{File: files[p], Msg: fmt.Sprintf("depends on %s, which the lock directory does not hold", e.Name)})
			}
		}
	}
	return errors.Join(errs...)
}

// assignIDs names packages name.version, as dune's portable files do.
func assignIDs(g *lockfile.Graph) {
	for _, p := range g.Packages {
		p.ID = p.Name + "." + p.Version
	}
}

// projectName reads (name …) from the project's dune-project, if any.
func projectName(fsys fs.FS) string {
	data, err := fs.ReadFile(fsys, "dune-project")
	if err != nil {
		return "project"
	}
	nodes, err := sexp.Parse("dune-project", data)
	if err != nil {
		return "project"
	}
	for _, n := range nodes {
		if n.Head() == "name" && len(n.List) == 2 {
			if s := atom(n.List[1]); s != "" {
				return s
			}
		}
	}
	return "project"
}
