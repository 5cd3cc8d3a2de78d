package npmlock

import (
	"fmt"
	"hash/maphash"
	"path"
	"strings"

	"github.com/lock2nix/lock2nix/internal/jsondepth"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/tidwall/gjson"
)

// Completeness, as npm ci judges it: npm builds its ideal tree from the
// lockfile, fetches from the registry whatever a package in it needs and
// does not find where Node would look (its own node_modules, then each
// enclosing package's, up to the project), and stops when that tree
// differs from the lockfile's ("Missing: ms@0.6.2 from lock file",
// "Invalid: lock file's b@1.0.0 does not satisfy b@^2.0.0"). lock2nix
// cannot fetch, so it stops where npm ci would, naming each problem.
//
// What npm skips, this skips too: packages nothing reaches from the
// project (extraneous ones), missing optional and optional peer
// dependencies of packages, invalid optional peers, dependencies a
// package bundles, and what lies below a package that ships its own
// npm-shrinkwrap.json. The dependencies of the project and of its
// folders are read from their package.json files when there are some
// ([CheckSync]); the lockfile's copy of the project's is judged only
// without one, and of its folders' never.

// rank orders the kinds of one name's edges as npm loads them, the later
// replacing the earlier: peer, optional peer, prod, optional, dev.
func rank(k lockfile.DepKind) int {
	switch k {
	case lockfile.DepPeer:
		return 0
	case lockfile.DepPeerOptional:
		return 1
	case lockfile.DepProd:
		return 2
	case lockfile.DepOptional:
		return 3
	}
	return 4 // dev
}

// completeness walks the tree a lockfile lays out, from the project.
type completeness struct {
	p     *parser
	nodes map[string]*entry
	// rootFromManifest: the project's dependencies come from package.json,
	// which CheckSync compares with the lockfile; the lockfile's root
	// entry is only followed, not judged.
	rootFromManifest bool
	// queue holds the nodes to walk, next the first not yet walked;
	// an entry's walked flag says it was queued (each install path has
	// an entry of its own).
	queue []visit
	next  int
	// later holds the folders that links lead to, for the second pass.
	later []visit
	// ranges caches decoded ranges: a few hundred specifiers ("^1.0.0")
	// serve thousands of edges.
	ranges map[string]decoded
	// verdicts caches satisfies by range and version.
	verdicts map[[2]string]bool
	// shrinkwraps: some package ships its own npm-shrinkwrap.json.
	shrinkwraps bool
	// mine holds the packages the project or a workspace depends on
	// directly: a peer conflict of theirs is npm's ERESOLVE.
	mine map[string]bool
	buf  []byte
	dirs []string

	// The install paths, indexed for resolve (see index): thousands of
	// edges look for a few hundred names in a few hundred folders. An
	// install is a number: its entry is order[i], the folder whose
	// node_modules holds it folder[i], its own own[i] when it holds
	// installs (else -1); entries that are not installs have folder -1.
	order       []*entry
	folder, own []int32
	// folders numbers the folders that hold installs ("" is 0); flen is
	// the length of a folder's install paths before the name, up the
	// next folder Node searches that holds installs, or -1.
	folders map[string]int32
	flen    []int32
	up      []int32
	// table files the installs by folder and name: open addressing,
	// install+1 in each slot, 0 for none.
	table []int32
	seed  maphash.Seed
	// stamp, by install, is the last node (its serial, wrapping) that
	// found it: a node that names a package twice has edges that replace
	// others.
	stamp  []uint8
	serial uint8
	found  []int32
}

type decoded struct {
	alts [][]lockfile.Comparison
	ok   bool
}

// visit is a node to walk (its install path or folder is e.path, its key
// in nodes), with the overrides that apply to it; linked says it is
// reached only through a link (a workspace or folder). from is the first
// folder Node searches from it that holds installs (-1: none), top that
// it is the project or one of its folders, not an install.
type visit struct {
	e      *entry
	ovr    *overrideSet
	from   int32
	linked bool
	top    bool
}

// checkComplete reports every dependency that a package the project
// reaches needs and the tree does not hold, or holds in a version its
// range refuses. nodes maps install paths and folders ("" for the
// project) to their entries, order lists them in file order (or some of
// them, or none: the rest are read from nodes); roots are where the walk
// starts besides the project (its workspaces).
func (p *parser) checkComplete(nodes map[string]*entry, order []*entry, roots []string, pkgJSON []byte) {
	// A few hundred ranges and verdicts serve thousands of edges
	// (overleaf: 3,918 entries, 168 and 262).
	c := &completeness{p: p, nodes: nodes, ranges: make(map[string]decoded, len(nodes)/16), verdicts: make(map[[2]string]bool, len(nodes)/16)}
	c.index(order)
	var top *overrideSet
	if len(pkgJSON) > 0 && jsondepth.Valid(pkgJSON) {
		c.rootFromManifest = true
		manifest := gjson.ParseBytes(pkgJSON)
		if o := manifest.Get("overrides"); o.IsObject() {
			top = newOverrideSet(nil, o, manifest)
		}
	}
	// npm ci judges what the project reaches without crossing a link; it
	// does not look below workspaces and linked folders (measured with
	// npm 11: a workspace's dependency that lacks its own dependency
	// installs as it is). Those come second, and are only warned of.
	c.queue = make([]visit, 0, len(nodes))
	c.mine = map[string]bool{}
	for _, r := range append([]string{""}, roots...) {
		if e := c.nodes[r]; e != nil {
			from := c.from(r)
			for _, d := range e.deps {
				if d.Kind != lockfile.DepPeer && d.Kind != lockfile.DepPeerOptional {
					if t, _, _ := c.resolve(from, r, d.Name); t != "" {
						c.mine[t] = true
					}
				}
			}
		}
	}
	c.push(c.at("", top, false))
	c.walk()
	for _, r := range roots {
		c.later = append(c.later, c.at(r, top, false))
	}
	for _, v := range c.later {
		v.linked = true
		c.push(v)
	}
	c.walk()
}

func (c *completeness) walk() {
	for c.next < len(c.queue) {
		v := c.queue[c.next]
		c.next++
		c.node(v)
	}
}

// push queues a node once; nodes without an entry have nothing to walk.
func (c *completeness) push(v visit) {
	if v.e != nil && !v.e.walked {
		v.e.walked = true
		c.queue = append(c.queue, v)
	}
}

// at is the visit of the node at key, with the overrides ovr.
func (c *completeness) at(key string, ovr *overrideSet, linked bool) visit {
	e := c.nodes[key]
	return visit{e: e, ovr: ovr, from: c.from(key), linked: linked, top: !inNodeModules(key)}
}

// node follows and judges the edges of one node.
func (c *completeness) node(v visit) {
	e := v.e
	if e.link {
		if e.target() != "" {
			t := c.at(e.target(), v.ovr, true)
			if v.linked {
				c.push(t)
			} else {
				c.later = append(c.later, t)
			}
		}
		return
	}
	key := e.path
	top := v.top
	// Folders of the project (workspaces, file: folders) are read from
	// their own package.json, as npm reads them: CheckSync judges those.
	judge := (key == "" && !c.rootFromManifest) || (!top && !c.inShrinkwrap(key))
	// Each edge's install, once: an edge gives way to another of the
	// same name (replaced), which only a node that names a package twice
	// has.
	c.serial++
	found := c.found[:0]
	twice, missing := false, 0
	for _, d := range e.deps {
		j := int32(-1)
		if d.Kind != lockfile.DepDev || top {
			if j = c.find(v.from, d.Name); j >= 0 {
				twice = twice || c.stamp[j] == c.serial
				c.stamp[j] = c.serial
			} else {
				missing++ // (two of them may share a name)
			}
		}
		found = append(found, j)
	}
	c.found = found
	twice = twice || missing > 1
	for i, d := range e.deps {
		if d.Kind == lockfile.DepDev && !top {
			continue // npm reads dev dependencies of the project and its folders only
		}
		if c.p.opts.LegacyPeerDeps && (d.Kind == lockfile.DepPeer || d.Kind == lockfile.DepPeerOptional) {
			continue
		}
		if twice && c.replaced(e.deps, i, top) {
			continue
		}
		if !top && (e.bundlesAll || contains(e.bundles(), d.Name)) {
			continue // shipped inside the package's archive, whatever the lockfile says
		}
		spec, known := v.ovr.spec(d.Name, d.Spec)
		var target string
		var t *entry
		var from int32
		installed := true // target is an install path (it is in the index)
		if j := found[i]; j >= 0 {
			t, from = c.order[j], c.own[j]
			target = t.path
			if from < 0 {
				from = c.folder[j]
			}
		} else if odd(d.Name) {
			target, t, from = c.resolveOdd(key, d.Name)
			installed = target != "" && inNodeModules(target)
		}
		if target == "" {
			if judge && d.Kind != lockfile.DepOptional && d.Kind != lockfile.DepPeerOptional {
				c.report(v, e, d.Name, spec, "", false)
			}
			continue
		}
		c.push(visit{e: t, ovr: v.ovr.enter(t.name), from: from, linked: v.linked, top: !installed})
		if judge && known && d.Kind != lockfile.DepPeerOptional && !c.satisfiedBy(spec, t, installed) && !c.inShrinkwrap(target) {
			switch {
			case !c.atHome(key, d, target):
				c.report(v, e, d.Name, spec, target, false)
			case d.Kind == lockfile.DepPeer && c.mine[key]:
				// A peer conflict of a package the project depends on
				// itself: npm stops with ERESOLVE instead of keeping
				// what is there.
				c.report(v, e, d.Name, spec, target, true)
			}
		}
	}
}

// atHome reports whether a dependency that target does not satisfy sits
// where npm ci keeps it (measured with npm 11). npm fetches a copy that
// satisfies the range and places it as high as it can; the lockfile's tree
// stands when that copy ends up where nothing sees it:
//
//   - a dependency in the package's own node_modules: npm places its copy
//     higher up, where the package's own copy hides it, and prunes it;
//   - a peer beside the package that the level holding it depends on
//     itself (the project on its own react): npm can neither replace it
//     nor nest it deeper, warns of the conflict and keeps it; unless the
//     project or a workspace depends on the package itself, where npm stops
//     with ERESOLVE (the caller tells the two apart).
//
// Elsewhere the copy goes below the one in place, or replaces it, and npm
// ci stops.
func (c *completeness) atHome(key string, d lockfile.Edge, target string) bool {
	if d.Kind != lockfile.DepPeer {
		return target == c.child(key, d.Name)
	}
	level, ok := c.parent(key)
	if !ok || target != c.child(level, d.Name) {
		return false
	}
	e := c.nodes[level]
	if e == nil {
		return false
	}
	for _, own := range e.deps {
		if own.Name == d.Name && own.Kind != lockfile.DepPeer && own.Kind != lockfile.DepPeerOptional &&
			(own.Kind != lockfile.DepDev || !inNodeModules(level)) {
			return true
		}
	}
	return false
}

// child is the install path of name in the node_modules of dir.
func (c *completeness) child(dir, name string) string {
	if dir == "" {
		return "node_modules/" + name
	}
	return dir + "/node_modules/" + name
}

// replaced reports whether edge i of deps gives way to another edge of
// the same name that npm loads after it.
func (c *completeness) replaced(deps []lockfile.Edge, i int, top bool) bool {
	d := deps[i]
	for j, o := range deps {
		if j == i || o.Name != d.Name || (o.Kind == lockfile.DepDev && !top) {
			continue
		}
		if r, s := rank(o.Kind), rank(d.Kind); r > s || (r == s && j > i) {
			return true
		}
	}
	return false
}

// index files the install paths (each is folder + "/node_modules/" +
// name, or "node_modules/" + name in the project's) by folder and name,
// split at their last node_modules. A name that holds no node_modules (as
// every real one) is then found in a folder by its hash, as Node finds it
// at folder + "/node_modules/" + name: split there, that path gives the
// same folder and name back.
func (c *completeness) index(order []*entry) {
	if len(order) != len(c.nodes) {
		// (Folders that only links name have entries of their own.)
		order = make([]*entry, 0, len(c.nodes))
		for _, e := range c.nodes {
			order = append(order, e)
		}
	}
	// In file order, the entries and their paths lie one after the other
	// in memory, and an install's folder is often the one before's.
	c.order = order
	c.seed = maphash.MakeSeed()
	c.folders = map[string]int32{"": 0}
	c.flen = append(c.flen[:0], int32(len("node_modules/")))
	paths := []string{""}
	c.folder = make([]int32, len(order))
	c.own = make([]int32, len(order))
	c.stamp = make([]uint8, len(order))
	size := 16
	for size < 2*len(order) {
		size *= 2
	}
	c.table = make([]int32, size)
	last, lastF := "", int32(0)
	for i, e := range order {
		c.shrinkwraps = c.shrinkwraps || e.shrinkwrap
		c.own[i] = -1
		dir, name, ok := split(e.path)
		if !ok {
			c.folder[i] = -1
			continue
		}
		f := int32(0)
		switch {
		case dir == "":
		case dir == last:
			f = lastF
		default:
			var seen bool
			if f, seen = c.folders[dir]; !seen {
				f = int32(len(paths))
				c.folders[dir] = f
				paths = append(paths, dir)
				c.flen = append(c.flen, int32(len(dir)+len("/node_modules/")))
			}
			last, lastF = dir, f
		}
		c.folder[i] = f
		for s := c.slot(maphash.String(c.seed, name), f); ; s = (s + 1) & (len(c.table) - 1) {
			if c.table[s] == 0 {
				c.table[s] = int32(i + 1)
				break
			}
		}
	}
	c.up = make([]int32, len(paths))
	for f, dir := range paths {
		c.up[f] = c.above(dir)
		if d, name, ok := split(dir); ok {
			if at, ok := c.folders[d]; ok {
				if j := c.in(maphash.String(c.seed, name), at, name); j >= 0 {
					c.own[j] = int32(f)
				}
			}
		}
	}
}

// slot is where the table's search for a name of hash h in folder f starts.
func (c *completeness) slot(h uint64, f int32) int {
	h ^= uint64(f) * 0x9e3779b97f4a7c15
	h = (h ^ h>>32) * 0xd6e8feb86659fd93
	return int(h>>32) & (len(c.table) - 1)
}

// split cuts an install path at its last node_modules: the folder that
// holds it and its name; ok is false for a folder of the project.
func split(key string) (dir, name string, ok bool) {
	// The name is most often the last one or two parts of the path.
	if s := strings.LastIndexByte(key, '/'); s >= 0 {
		if strings.HasSuffix(key[:s], "/node_modules") {
			return key[:s-len("/node_modules")], key[s+1:], true
		}
		if s == len("node_modules") && key[:s] == "node_modules" {
			return "", key[s+1:], true
		}
		if t := strings.LastIndexByte(key[:s], '/'); t >= 0 {
			if strings.HasSuffix(key[:t], "/node_modules") {
				return key[:t-len("/node_modules")], key[t+1:], true
			}
			if t == len("node_modules") && key[:t] == "node_modules" {
				return "", key[t+1:], true
			}
		}
	}
	if i := strings.LastIndex(key, "/node_modules/"); i >= 0 {
		return key[:i], key[i+len("/node_modules/"):], true
	}
	if rest, ok := strings.CutPrefix(key, "node_modules/"); ok {
		return "", rest, true
	}
	return "", "", false
}

// odd reports whether name holds node_modules, as only a crafted lockfile
// has: the index does not file it.
func odd(name string) bool {
	return strings.HasPrefix(name, "node_modules/") || strings.Contains(name, "/node_modules/")
}

// from is the first folder Node searches from key that holds installs:
// key's own node_modules, then each enclosing package's, then the
// project's; -1 for none.
func (c *completeness) from(key string) int32 {
	if f, ok := c.folders[key]; ok {
		return f
	}
	return c.above(key)
}

// above is from for the folders above dir.
func (c *completeness) above(dir string) int32 {
	for {
		up, ok := c.parent(dir)
		if !ok {
			return -1
		}
		if f, ok := c.folders[up]; ok {
			return f
		}
		dir = up
	}
}

// find is the install of name that Node finds from the folder f on: in
// f's node_modules, or in the folders above; -1 for none (and for a name
// that holds node_modules: see resolveOdd).
func (c *completeness) find(f int32, name string) int32 {
	if f < 0 {
		return -1
	}
	h := maphash.String(c.seed, name)
	for ; f >= 0; f = c.up[f] {
		if j := c.in(h, f, name); j >= 0 {
			return j
		}
	}
	return -1
}

// in is the install of name (of hash h) in folder f, or -1.
func (c *completeness) in(h uint64, f int32, name string) int32 {
	for i := c.slot(h, f); ; i = (i + 1) & (len(c.table) - 1) {
		j := c.table[i] - 1
		if j < 0 {
			return -1
		}
		if c.folder[j] == f {
			if p := c.order[j].path; len(p)-int(c.flen[f]) == len(name) && p[c.flen[f]:] == name {
				return j
			}
		}
	}
}

// resolve finds name as Node does from the node at key, from the folder
// from on (see from). It returns the install path and its entry, and the
// folder Node searches from there; or "" and nil.
func (c *completeness) resolve(from int32, key, name string) (string, *entry, int32) {
	if j := c.find(from, name); j >= 0 {
		t := c.order[j]
		if c.own[j] >= 0 {
			return t.path, t, c.own[j]
		}
		return t.path, t, c.folder[j]
	}
	if odd(name) {
		return c.resolveOdd(key, name)
	}
	return "", nil, -1
}

// resolveOdd is resolve for a name that holds node_modules, which would
// be filed under another folder: it is looked for in every folder, by
// path.
func (c *completeness) resolveOdd(key, name string) (string, *entry, int32) {
	c.dirs = c.lookIn(key, c.dirs)
	for _, dir := range c.dirs {
		c.buf = c.buf[:0]
		if dir != "" {
			c.buf = append(append(c.buf, dir...), '/')
		}
		c.buf = append(append(c.buf, "node_modules/"...), name...)
		if e, ok := c.nodes[string(c.buf)]; ok {
			return e.path, e, c.from(e.path)
		}
	}
	return "", nil, -1
}

// lookIn returns, in dirs' memory, the folders Node searches from key,
// nearest first: key, then each parent.
func (c *completeness) lookIn(key string, dirs []string) []string {
	dirs = append(dirs[:0], key)
	for dir := key; ; {
		up, ok := c.parent(dir)
		if !ok {
			return dirs
		}
		dirs = append(dirs, up)
		dir = up
	}
}

// parent is the node whose node_modules Node searches after dir's: the
// package dir is installed in, or for a folder the nearest enclosing
// folder of the project. Folders outside the project have none.
func (c *completeness) parent(dir string) (string, bool) {
	if dir == "" {
		return "", false
	}
	if i := strings.LastIndex(dir, "/node_modules/"); i >= 0 {
		return dir[:i], true
	}
	if strings.HasPrefix(dir, "node_modules/") {
		return "", true
	}
	if dir == ".." || strings.HasPrefix(dir, "../") {
		return "", false
	}
	for d := path.Dir(dir); d != "." && d != "/"; d = path.Dir(d) {
		if e, ok := c.nodes[d]; ok && !e.link {
			return d, true
		}
	}
	return "", true
}

// inShrinkwrap reports whether the package at key, or one it is installed
// below, ships its own npm-shrinkwrap.json: npm takes what that file
// says and judges none of it.
func (c *completeness) inShrinkwrap(key string) bool {
	if !c.shrinkwraps {
		return false
	}
	for k := key; k != ""; {
		if e := c.nodes[k]; e != nil && e.shrinkwrap {
			return true
		}
		i := strings.LastIndex(k, "/node_modules/")
		if i < 0 {
			return false
		}
		k = k[:i]
	}
	return false
}

// satisfiedBy reports whether the entry t meets spec, as far as this can
// tell: folders (installed is false) and links meet anything, and so do
// specifiers that are not registry ranges (git, URLs, files, tags) and
// prereleases.
func (c *completeness) satisfiedBy(spec string, t *entry, installed bool) bool {
	if t.link || !installed {
		return true
	}
	rng := spec
	if alias, ok := strings.CutPrefix(spec, "npm:"); ok {
		want := alias
		rng = ""
		if at := strings.LastIndexByte(alias, '@'); at > 0 {
			want, rng = alias[:at], alias[at+1:]
		}
		if t.name != want {
			return false
		}
	}
	if rng == t.version {
		return true
	}
	if ok, known := quickSatisfies(rng, t.version); known {
		return ok
	}
	key := [2]string{rng, t.version}
	if ok, seen := c.verdicts[key]; seen {
		return ok
	}
	r, seen := c.ranges[rng]
	if !seen {
		r.alts, r.ok = parseRange(rng)
		c.ranges[rng] = r
	}
	ok := !r.ok || !isRelease(t.version) || satisfies(t.version, r.alts)
	c.verdicts[key] = ok
	return ok
}

// quickSatisfies decides the commonest ranges, "^1.2.3" and "~1.2.3" of a
// release version, without decoding them; known is false for any other.
func quickSatisfies(rng, version string) (ok, known bool) {
	if len(rng) < 6 || (rng[0] != '^' && rng[0] != '~') {
		return false, false
	}
	want, wok := release(rng[1:])
	have, hok := release(version)
	if !wok || !hok {
		return false, false
	}
	if compareNums(have, want) < 0 {
		return false, true
	}
	switch {
	case rng[0] == '~':
		return have[0] == want[0] && have[1] == want[1], true
	case want[0] > 0:
		return have[0] == want[0], true
	case want[1] > 0:
		return have[0] == 0 && have[1] == want[1], true
	}
	return have == want, true
}

// release reads "major.minor.patch" of plain digits.
func release(v string) (nums [3]int, ok bool) {
	part := 0
	digits := 0
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; {
		case ch >= '0' && ch <= '9':
			if nums[part] > 1e8 {
				return nums, false
			}
			nums[part] = nums[part]*10 + int(ch-'0')
			digits++
		case ch == '.' && digits > 0 && part < 2:
			part++
			digits = 0
		default:
			return nums, false
		}
	}
	return nums, part == 2 && digits > 0
}

func compareNums(a, b [3]int) int {
	for i := range 3 {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// report records one dependency that npm ci would fetch: missing when
// target is "", else not satisfied by what target holds.
func (c *completeness) report(v visit, e *entry, name, spec, target string, conflict bool) {
	p, key := c.p, v.e.path
	who := "the project"
	switch {
	case key == "":
	case !inNodeModules(key):
		who = fmt.Sprintf("%s (%s)", key, e.name)
	default:
		who = fmt.Sprintf("%s (%s@%s)", key, e.name, e.version)
	}
	want := name + "@" + spec
	at := depKey(e.at.result(), name)
	if v.linked {
		// npm ci installs it as it is: a warning, not a stop.
		what := "which the lockfile does not install where Node would find it"
		if target != "" {
			t := c.nodes[target]
			what = fmt.Sprintf("and Node would find %s (%s@%s)", target, t.name, t.version)
		}
		p.warnings = append(p.warnings, p.errAt(at, fmt.Sprintf("%s needs %s, %s; npm ci does not check below workspaces and linked folders and installs the tree as it is, and so does lock2nix", who, want, what)))
		return
	}
	if target == "" {
		p.incomplete(at, fmt.Sprintf(`%s needs %s, which the lockfile does not install where Node would find it; npm ci stops: "Missing: %s from lock file"`, who, want, want),
			"the output leaves it out")
		return
	}
	t := c.nodes[target]
	has := t.name + "@" + t.version
	if conflict {
		p.incomplete(at, fmt.Sprintf(`%s needs the peer %s, and Node would find %s (%s), which the project's own dependencies keep; npm ci stops: "ERESOLVE could not resolve"`, who, want, target, has),
			"the output keeps "+has)
		return
	}
	p.incomplete(at, fmt.Sprintf(`%s needs %s, and Node would find %s (%s); npm ci stops: "Invalid: lock file's %s does not satisfy %s"`, who, want, target, has, has, want),
		"the output keeps "+has)
}

// incomplete records a problem that npm ci stops on and that the output
// can leave as it is: an error, or with Options.AllowOutOfSync a warning
// that says what the output does instead.
func (p *parser) incomplete(at gjson.Result, msg, instead string) {
	if !p.opts.AllowOutOfSync {
		p.fail(at, "%s", msg)
		p.stops++
		return
	}
	p.warnings = append(p.warnings, p.errAt(at, msg+"; "+instead))
}

// depKey finds where the entry at e names the dependency name, or e itself.
func depKey(e gjson.Result, name string) gjson.Result {
	found := e
	e.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "dependencies", "optionalDependencies", "peerDependencies", "devDependencies", "requires":
		default:
			return true
		}
		v.ForEach(func(dk, dv gjson.Result) bool {
			if dk.Str == name && dv.Type == gjson.String {
				found = dk
				return false
			}
			return true
		})
		return found.Index == e.Index
	})
	return found
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// bundles reads bundleDependencies (or the older bundledDependencies): a
// list of names, or true for every dependency.
func bundles(a, b gjson.Result) ([]string, bool) {
	r := a
	if !r.Exists() {
		r = b
	}
	if r.Type == gjson.True {
		return nil, true
	}
	var out []string
	for _, n := range r.Array() {
		if n.Type == gjson.String {
			out = append(out, n.Str)
		}
	}
	return out, false
}

// overrideSet is one level of package.json's "overrides": the rules that
// apply below a package the level names, inside the levels above.
type overrideSet struct {
	parent *overrideSet
	// rules are the level's members in order, read once: every edge of
	// the tree is looked up in them, twice.
	rules    []overrideRule
	manifest gjson.Result
}

// overrideRule is one member of an overrides object.
type overrideRule struct {
	key   string
	value gjson.Result
	// name is the key without its range ("a" of "a@^1"); ranged says
	// there is one.
	name   string
	ranged bool
}

// newOverrideSet reads the level rules (an object) inside parent.
func newOverrideSet(parent *overrideSet, rules, manifest gjson.Result) *overrideSet {
	s := &overrideSet{parent: parent, manifest: manifest}
	rules.ForEach(func(k, v gjson.Result) bool {
		r := overrideRule{key: k.Str, value: v}
		if at := strings.LastIndexByte(r.key, '@'); at > 0 {
			r.name, r.ranged = r.key[:at], true
		}
		s.rules = append(s.rules, r)
		return true
	})
	return s
}

// rule finds the innermost rule for name, and whether its key carries a
// range ("name@range"), which this does not evaluate; found is what value
// says of the rule's value. The innermost rule decides, whatever its
// value: in npm it hides the rules of that key further out, so that a
// value that overrides nothing (an object without ".", a number) is no
// override, and a string one enters no object further out.
func (o *overrideSet) rule(name string, value func(gjson.Result) bool) (ranged, found bool) {
	for s := o; s != nil; s = s.parent {
		for _, r := range s.rules {
			if r.key == name {
				return false, value(r.value)
			} else if r.ranged && r.name == name {
				return true, true
			}
		}
	}
	return false, false
}

// spec is the specifier npm uses for the dependency name@spec under the
// overrides: known is false when an override applies whose effect this
// does not work out (a key with a range, a "$" reference it cannot find).
func (o *overrideSet) spec(name, spec string) (string, bool) {
	if o == nil {
		return spec, true
	}
	out, known := spec, true
	ranged, found := o.rule(name, func(v gjson.Result) bool {
		if v.IsObject() {
			v = v.Get(gjson.Escape("."))
		}
		if v.Type != gjson.String {
			return false
		}
		out = v.Str
		if ref, ok := strings.CutPrefix(out, "$"); ok {
			out, known = "", false
			for _, f := range []string{"devDependencies", "optionalDependencies", "dependencies", "peerDependencies"} {
				if r := o.root().manifest.Get(f).Get(gjson.Escape(ref)); r.Type == gjson.String {
					out, known = r.Str, true
					break
				}
			}
		}
		return true
	})
	if ranged {
		return spec, false
	}
	if !found {
		return spec, true
	}
	return out, known
}

// enter is the set that applies below the package name.
func (o *overrideSet) enter(name string) *overrideSet {
	if o == nil {
		return nil
	}
	var inner gjson.Result
	o.rule(name, func(v gjson.Result) bool {
		if v.IsObject() {
			inner = v
			return true
		}
		return false
	})
	if !inner.Exists() {
		return o
	}
	return newOverrideSet(o, inner, o.manifest)
}

func (o *overrideSet) root() *overrideSet {
	for o.parent != nil {
		o = o.parent
	}
	return o
}
