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
	"unsafe"

	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/tidwall/gjson"
)

// syncManifest is a package.json as CheckSync reads it, or the line that
// says why it cannot.
type syncManifest struct {
	line       string
	file, data string
	deps       []manifestDep
	// ovr are the overrides that apply to its dependencies; lookIn lists
	// where Node looks for them: the folder, the places it is linked
	// from, the project. slots is where the slots of their paths start
	// in syncLook's.
	ovr    *overrideSet
	lookIn []string
	slots  int
	// missing are missingWorkspaces' lines, for the root.
	missing []string
}

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
	// The package.json files are read first, and the locked tree looked
	// up afterwards, for the paths they ask for alone.
	manifests := make([]syncManifest, 0, len(dirs))
	var top *overrideSet
	for _, dir := range dirs {
		if dir == ".." || strings.HasPrefix(dir, "../") {
			// fsys holds the project alone: a workspace up the tree is
			// not read, and npm ci would install what lies there.
			manifests = append(manifests, syncManifest{line: fmt.Sprintf("workspace %s lies outside the project: its package.json cannot be checked; move the workspace inside the project", dir)})
			continue
		}
		file := path.Join(dir, "package.json")
		data, err := readText(fsys, file)
		var m manifestFields
		valid := false
		if err == nil {
			m, valid = readManifest(data)
		}
		if errors.Is(err, fs.ErrNotExist) || (err == nil && !valid) {
			continue // npm reports these itself; the lockfile is what counts here
		}
		if err != nil {
			manifests = append(manifests, syncManifest{line: fmt.Sprintf("%s: %v", file, err)})
			continue
		}
		manifest := gjson.Parse(data)
		ovr := top.enter(m.name.String())
		if dir == "" {
			// The project's overrides apply to its own dependencies and to
			// those of its folders, as in npm.
			if m.overrides.IsObject() {
				top = newOverrideSet(nil, m.overrides, manifest)
				ovr = top
			}
		}
		sm := syncManifest{file: file, data: data, deps: manifestDeps(m), ovr: ovr,
			lookIn: append(append([]string{dir}, linkedAt[dir]...), ""),
		}
		if dir == "" {
			sm.missing = missingWorkspaces(fsys, g, data, m.workspaces)
		}
		manifests = append(manifests, sm)
	}
	look := newSyncLook(g, manifests)
	var out []string
	for i := range manifests {
		m := &manifests[i]
		if m.line != "" {
			out = append(out, m.line)
			continue
		}
		for k, d := range m.deps {
			if opts.LegacyPeerDeps && (d.kind == lockfile.DepPeer || d.kind == lockfile.DepPeerOptional) {
				continue
			}
			spec, known := m.ovr.spec(d.name, d.spec)
			first := m.slots + k*len(m.lookIn)
			msg := look.problem(look.slots[first:first+len(m.lookIn)], spec)
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
				line, col := position(m.data, d.at)
				out = append(out, fmt.Sprintf("%s:%d:%d: %s@%s: %s", m.file, line, col, d.name, d.spec, msg))
			}
		}
		out = append(out, m.missing...)
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

func manifestDeps(m manifestFields) []manifestDep {
	var deps []manifestDep
	index := map[string]int{}
	for _, f := range []struct {
		field gjson.Result
		kind  lockfile.DepKind
	}{
		{m.peer, lockfile.DepPeer},
		{m.prod, lockfile.DepProd},
		{m.optional, lockfile.DepOptional},
		{m.dev, lockfile.DepDev},
	} {
		f.field.ForEach(func(k, v gjson.Result) bool {
			if v.Type != gjson.String {
				return true
			}
			d := manifestDep{name: k.Str, spec: v.Str, kind: f.kind, at: k.Index}
			if d.kind == lockfile.DepPeer && peerOptional(m.meta, d.name) {
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
// patterns (ws) match (a folder with a package.json) and the lockfile does not
// hold: npm ci would add it, and stops. Patterns with "**" or "!" are not
// expanded.
func missingWorkspaces(fsys fs.FS, g *lockfile.Graph, data string, ws gjson.Result) []string {
	locked := map[string]bool{}
	for _, w := range g.Root.Workspaces {
		locked[w] = true
	}
	for _, p := range g.Packages {
		if p.Source.Kind == lockfile.Link {
			locked[p.Source.Path] = true
		}
	}
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
			pj, err := readText(fsys, path.Join(dir, "package.json"))
			if err != nil {
				continue // not a package: npm skips it too
			}
			seen[dir] = true
			w := gjson.Parse(pj)
			name := cmp.Or(w.Get("name").String(), path.Base(dir))
			line, col := position(data, pat.Index)
			out = append(out, fmt.Sprintf("package.json:%d:%d: workspace %s (%s@%s): %s", line, col, dir, name, w.Get("version").String(), notLocked))
		}
		return true
	})
	return out
}

const notLocked = "not in the lockfile"

// syncLook finds the locked packages that package.json files name.
type syncLook struct {
	// at holds the package installed at each path that a package.json
	// asks for (or nil): far fewer paths than the tree's thousands, found
	// in one pass over it. slots numbers the paths of the manifests'
	// dependencies in at: for the k-th dependency of m, the path in
	// m.lookIn[j] is slots[m.slots+k*len(m.lookIn)+j].
	at    []*lockfile.Package
	slots []int32
	// ranges caches decoded ranges: a monorepo's folders ask for the same
	// ranges again and again.
	ranges map[string]decoded
}

// newSyncLook finds the packages at the paths where Node looks for the
// manifests' dependencies, and sets their slots.
func newSyncLook(g *lockfile.Graph, manifests []syncManifest) *syncLook {
	n := 0
	for _, m := range manifests {
		n += len(m.deps) * len(m.lookIn)
	}
	slots := make([]int32, 0, n)
	index := make(map[string]int32, n)
	// The paths are put together in buf, and kept in one block of memory
	// that the index's keys share, rather than each in its own.
	var buf, keys []byte
	for i := range manifests {
		m := &manifests[i]
		m.slots = len(slots)
		for _, d := range m.deps {
			for _, dir := range m.lookIn {
				buf = buf[:0]
				if dir != "" {
					buf = append(append(buf, dir...), '/')
				}
				buf = append(append(buf, "node_modules/"...), d.name...)
				id, seen := index[string(buf)]
				if !seen {
					id = int32(len(index))
					switch {
					case !isClean(buf):
						// As path.Join would clean it (a name holding
						// "..", say); rare.
						key := path.Join(dir, "node_modules", d.name)
						if old, ok := index[key]; ok {
							id = old
						} else {
							index[key] = id
						}
					default:
						if cap(keys)-len(keys) < len(buf) {
							keys = make([]byte, 0, max(16<<10, len(buf)))
						}
						keys = append(keys, buf...)
						index[unsafe.String(&keys[len(keys)-len(buf)], len(buf))] = id
					}
				}
				slots = append(slots, id)
			}
		}
	}
	l := &syncLook{at: make([]*lockfile.Package, len(index)), slots: slots, ranges: map[string]decoded{}}
	for _, p := range g.Packages {
		for _, in := range p.Installs {
			if id, ok := index[in.Path]; ok {
				l.at[id] = p
			}
		}
	}
	return l
}

// problem says what is wrong with the dependency name@spec, whose slots
// are those of the places Node looks for it in turn (the folder, the
// places it is linked from, the project), or "".
func (l *syncLook) problem(slots []int32, spec string) string {
	var p *lockfile.Package
	for _, id := range slots {
		if p = l.at[id]; p != nil {
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
	if rng == p.Version {
		return "" // what a range of one version takes, as below
	}
	ok, known := quickSatisfies(rng, p.Version)
	if !known {
		r, seen := l.ranges[rng]
		if !seen {
			r.alts, r.ok = parseRange(rng)
			l.ranges[rng] = r
		}
		ok = !r.ok || !isRelease(p.Version) || satisfies(p.Version, r.alts)
	}
	if ok {
		return ""
	}
	return "the lockfile has " + p.Version
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
			if !holds(c.Op, compareRelease(v, c.Version)) {
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

// readText returns the text of the file name of fsys, as fs.ReadFile
// reads it, without copying it into a string: a workspace's package.json
// may be hundreds of kilobytes. Nothing else holds the bytes, so nothing
// changes them.
func readText(fsys fs.FS, name string) (string, error) {
	data, err := fs.ReadFile(fsys, name)
	if len(data) == 0 {
		return "", err
	}
	return unsafe.String(&data[0], len(data)), err
}
