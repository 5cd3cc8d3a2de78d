package npmlock

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/lock2nix/lock2nix/internal/jsondepth"
	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/tidwall/gjson"
)

// CheckSync compares the project's package.json files (the root's and
// each workspace's or other folder's inside the project, read from fsys) with the graph read from its lockfile,
// as npm ci does before it installs anything. It returns one line per
// dependency whose range the locked version does not satisfy or that the
// lockfile lacks, and per workspace that the lockfile lacks, in the order
// of the package.json files, or nil when they agree. Like npm ci, it
// counts optional dependencies and peer dependencies (but those marked
// optional in peerDependenciesMeta): npm would fetch them. Specifiers
// that are not registry ranges (file:, git, URLs, tags) are not checked;
// nor are locked prereleases. With opts.LegacyPeerDeps peer dependencies
// are not counted, as npm does not count them then. Each line is one
// line: what it quotes that does not print is escaped, as in
// lockfile.Error.
func CheckSync(fsys fs.FS, g *lockfile.Graph, opts Options) []string {
	n := 0
	for _, p := range g.Packages {
		n += len(p.Installs)
	}
	installed := make(map[string]*lockfile.Package, n)
	for _, p := range g.Packages {
		for _, in := range p.Installs {
			installed[in.Path] = p
		}
	}
	var out []string
	dirs := append([]string{""}, g.Root.Workspaces...)
	// Where each folder is linked from: version 1 files install a folder's
	// dependencies below the link ("node_modules/f/node_modules/a").
	linkedAt := map[string][]string{}
	for _, p := range g.Packages {
		if p.Source.Kind == lockfile.Link {
			for _, in := range p.Installs {
				linkedAt[p.Source.Path] = append(linkedAt[p.Source.Path], in.Path)
			}
		}
		// file: folders inside the project: npm reads them as workspaces.
		if d := p.Source.Path; p.Source.Kind == lockfile.Link && d != "." && d != "" && !inNodeModules(d) &&
			d != ".." && !strings.HasPrefix(d, "../") && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	var top *overrideSet
	look := &syncLook{installed: installed, ranges: map[string]decoded{}}
	for _, dir := range dirs {
		if dir == ".." || strings.HasPrefix(dir, "../") {
			// fsys holds the project alone: a workspace up the tree is
			// not read, and npm ci would install what lies there.
			out = append(out, fmt.Sprintf("workspace %s lies outside the project: its package.json cannot be checked; move the workspace inside the project", dir))
			continue
		}
		file := path.Join(dir, "package.json")
		data, err := fs.ReadFile(fsys, file)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && !jsondepth.Valid(data)) {
			continue // npm reports these itself; the lockfile is what counts here
		}
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		manifest := gjson.ParseBytes(data)
		ovr := top.enter(manifest.Get("name").String())
		if dir == "" {
			// The project's overrides apply to its own dependencies and to
			// those of its folders, as in npm.
			if o := manifest.Get("overrides"); o.IsObject() {
				top = newOverrideSet(nil, o, manifest)
				ovr = top
			}
		}
		// Where Node looks: the folder, the places it is linked from, the
		// project.
		lookIn := append(append([]string{dir}, linkedAt[dir]...), "")
		for _, d := range manifestDeps(manifest) {
			if opts.LegacyPeerDeps && (d.kind == lockfile.DepPeer || d.kind == lockfile.DepPeerOptional) {
				continue
			}
			spec, known := ovr.spec(d.name, d.spec)
			msg := look.problem(lookIn, d.name, spec)
			if msg != notLocked && !known {
				msg = ""
			}
			if msg == notLocked && d.kind == lockfile.DepPeerOptional {
				msg = "" // npm fetches no optional peer of the project
			}
			if msg != "" && msg != notLocked && d.kind == lockfile.DepPeerOptional {
				msg = "" // nor judges its version under npm ci
			}
			if msg != "" {
				line, col := lockfile.Position(data, d.at)
				out = append(out, fmt.Sprintf("%s:%d:%d: %s@%s: %s", file, line, col, d.name, d.spec, msg))
			}
		}
		if dir == "" {
			out = append(out, missingWorkspaces(fsys, g, data, manifest)...)
		}
	}
	return oneline.EscapeAll(out)
}

// manifestDep is one dependency of a package.json, as npm reads it: of
// one name given in several fields, the last of peer, optional peer,
// prod, optional, dev counts.
type manifestDep struct {
	name, spec string
	kind       lockfile.DepKind
	at         int
}

func manifestDeps(manifest gjson.Result) []manifestDep {
	meta := manifest.Get("peerDependenciesMeta")
	var deps []manifestDep
	index := map[string]int{}
	for _, f := range []struct {
		field string
		kind  lockfile.DepKind
	}{
		{"peerDependencies", lockfile.DepPeer},
		{"dependencies", lockfile.DepProd},
		{"optionalDependencies", lockfile.DepOptional},
		{"devDependencies", lockfile.DepDev},
	} {
		manifest.Get(f.field).ForEach(func(k, v gjson.Result) bool {
			if v.Type != gjson.String {
				return true
			}
			d := manifestDep{name: k.Str, spec: v.Str, kind: f.kind, at: k.Index}
			if d.kind == lockfile.DepPeer && peerOptional(meta, d.name) {
				d.kind = lockfile.DepPeerOptional
			}
			if i, ok := index[d.name]; ok {
				deps[i] = d
				return true
			}
			index[d.name] = len(deps)
			deps = append(deps, d)
			return true
		})
	}
	slices.SortStableFunc(deps, func(a, b manifestDep) int { return a.at - b.at })
	return deps
}

// missingWorkspaces names each folder that package.json's "workspaces"
// patterns match (a folder with a package.json) and the lockfile does not
// hold: npm ci would add it, and stops. Patterns with "**" or "!" are not
// expanded.
func missingWorkspaces(fsys fs.FS, g *lockfile.Graph, data []byte, manifest gjson.Result) []string {
	locked := map[string]bool{}
	for _, w := range g.Root.Workspaces {
		locked[w] = true
	}
	for _, p := range g.Packages {
		if p.Source.Kind == lockfile.Link {
			locked[p.Source.Path] = true
		}
	}
	ws := manifest.Get("workspaces")
	if ws.IsObject() {
		ws = ws.Get("packages")
	}
	var out []string
	seen := map[string]bool{}
	ws.ForEach(func(_, pat gjson.Result) bool {
		if pat.Type != gjson.String || strings.Contains(pat.Str, "**") || strings.HasPrefix(pat.Str, "!") {
			return true
		}
		glob := path.Clean(strings.TrimPrefix(pat.Str, "./"))
		dirs, err := fs.Glob(fsys, glob)
		if err != nil {
			return true
		}
		for _, dir := range dirs {
			if locked[dir] || seen[dir] {
				continue
			}
			pj, err := fs.ReadFile(fsys, path.Join(dir, "package.json"))
			if err != nil {
				continue // not a package: npm skips it too
			}
			seen[dir] = true
			w := gjson.ParseBytes(pj)
			name := cmp.Or(w.Get("name").String(), path.Base(dir))
			line, col := lockfile.Position(data, pat.Index)
			out = append(out, fmt.Sprintf("package.json:%d:%d: workspace %s (%s@%s): %s", line, col, dir, name, w.Get("version").String(), notLocked))
		}
		return true
	})
	return out
}

const notLocked = "not in the lockfile"

// syncLook finds the locked packages that package.json files name.
type syncLook struct {
	installed map[string]*lockfile.Package
	// ranges caches decoded ranges: a monorepo's folders ask for the same
	// ranges again and again.
	ranges map[string]decoded
	buf    []byte
}

// problem says what is wrong with the dependency name@spec of the folder
// dirs[0] ("" for the root), or "". Node looks for it in the node_modules
// of each of dirs in turn (the folder, the places it is linked from, the
// project).
func (l *syncLook) problem(dirs []string, name, spec string) string {
	var p *lockfile.Package
	for _, dir := range dirs {
		if p = l.lookup(dir, name); p != nil {
			break
		}
	}
	if p == nil {
		return notLocked
	}
	if p.Source.Kind == lockfile.Link {
		return "" // a workspace or folder: its own package.json has the version
	}
	rng := spec
	if alias, ok := strings.CutPrefix(spec, "npm:"); ok {
		// Only an alias names the package; a tarball or a git
		// repository may hold a package of any name.
		want := alias
		if at := strings.LastIndexByte(alias, '@'); at > 0 {
			want, rng = alias[:at], alias[at+1:]
		} else {
			rng = ""
		}
		if p.Name != want {
			return fmt.Sprintf("the lockfile has %s@%s", p.Name, p.Version)
		}
	}
	r, seen := l.ranges[rng]
	if !seen {
		r.alts, r.ok = parseRange(rng)
		l.ranges[rng] = r
	}
	if !r.ok || !isRelease(p.Version) {
		return ""
	}
	if satisfies(p.Version, r.alts) {
		return ""
	}
	return "the lockfile has " + p.Version
}

// lookup returns the package installed at dir/node_modules/name, the path
// cleaned as path.Join cleans it. The path is put together in a reused
// buffer, which a map lookup does not copy; only a path that cleaning
// would change (a name holding "..", say) goes through path.Join.
func (l *syncLook) lookup(dir, name string) *lockfile.Package {
	l.buf = l.buf[:0]
	if dir != "" {
		l.buf = append(append(l.buf, dir...), '/')
	}
	l.buf = append(append(l.buf, "node_modules/"...), name...)
	if !isClean(l.buf) {
		return l.installed[path.Join(dir, "node_modules", name)]
	}
	return l.installed[string(l.buf)]
}

// isClean reports whether path.Clean would leave the relative path p as it
// is: no empty, "." or ".." segment, no slash at either end.
func isClean(p []byte) bool {
	start := 0
	for i := 0; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		seg := p[start:i]
		if len(seg) == 0 || (seg[0] == '.' && (len(seg) == 1 || (len(seg) == 2 && seg[1] == '.'))) {
			return false
		}
		start = i + 1
	}
	return true
}

// isRelease reports whether v is "major.minor.patch" without a prerelease
// or build part.
func isRelease(v string) bool {
	// Part by part, without splitting: this runs for every dependency.
	for i := range 3 {
		p, rest, found := strings.Cut(v, ".")
		if found != (i < 2) {
			return false
		}
		if _, err := strconv.Atoi(p); err != nil || p == "" {
			return false
		}
		v = rest
	}
	return true
}

// satisfies reports whether the release v passes every comparison of one
// of the alternatives: a decoded range, read as the builders read it.
func satisfies(v string, alts [][]lockfile.Comparison) bool {
	return slices.ContainsFunc(alts, func(set []lockfile.Comparison) bool {
		for _, c := range set {
			r := compareRelease(v, c.Version)
			var ok bool
			switch c.Op {
			case "<":
				ok = r < 0
			case "<=":
				ok = r <= 0
			case ">":
				ok = r > 0
			case ">=":
				ok = r >= 0
			default:
				ok = r == 0
			}
			if !ok {
				return false
			}
		}
		return true
	})
}

// compareRelease compares two "major.minor.patch" versions.
func compareRelease(a, b string) int {
	for range 3 {
		var as, bs string
		as, a, _ = strings.Cut(a, ".")
		bs, b, _ = strings.Cut(b, ".")
		x, _ := strconv.Atoi(as)
		y, _ := strconv.Atoi(bs)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
