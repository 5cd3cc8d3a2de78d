// Package npmlock reads npm's package-lock.json or npm-shrinkwrap.json
// (lockfileVersion 1, 2 and 3) into a [lockfile.Graph].
//
// It knows npm's file format and install layout and nothing of Nix. Versions
// 2 and 3 are read from the "packages" map, keyed by install path; version 1
// from the nested "dependencies" tree, whose install paths are rebuilt the
// way npm 6 laid them out. A git source on GitHub locked at a full commit
// is GitHub's archive of it, as npm fetches it (a tarball with its
// repository in Source.Repo); one that names a folder of the repository
// ("#COMMIT::path:DIR") stays a git source, with the folder in Source.Dir.
package npmlock

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lock2nix/lock2nix/internal/jsondepth"
	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/tidwall/gjson"
)

// Options control how a lockfile is read.
type Options struct {
	// Registry says where registry packages come from.
	Registry Registry
	// Warn, when not nil, receives what npm accepts with a warning and
	// lock2nix does too (entries dropped as damaged), one message each,
	// on one line (escaped as lockfile.Error's are).
	Warn func(msg string)
	// Damaged, when not nil, receives the keys of the entries dropped as
	// damaged ({}), in file order, once, when there are any.
	Damaged func(keys []string)
	// AllowOutOfSync turns what npm ci stops on in a lockfile that is
	// otherwise readable (a dependency the tree does not hold where Node
	// would find it, or holds in a version its range refuses) from errors
	// into warnings, one each, given to Warn: the graph then leaves the
	// missing packages out and keeps the versions it has.
	AllowOutOfSync bool
	// LegacyPeerDeps is npm's legacy-peer-deps setting: peer dependencies
	// are then no dependencies, and neither npm ci nor lock2nix checks
	// that the tree holds them.
	LegacyPeerDeps bool
}

// LockName is the lockfile's name inside a project folder.
const LockName = "package-lock.json"

// ShrinkwrapName is the lockfile a published package ships; npm reads it
// in preference to package-lock.json when both are present.
const ShrinkwrapName = "npm-shrinkwrap.json"

// FindLock says which of the project's lockfiles in fsys npm reads:
// npm-shrinkwrap.json when present, else package-lock.json. It looks
// without opening either (a lockfile may be a pipe, readable once); a
// file that is there but cannot be read is the read's to report.
func FindLock(fsys fs.FS) (name string, err error) {
	for _, name := range []string{ShrinkwrapName, LockName} {
		if _, err := fs.Stat(fsys, name); !errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
	}
	return LockName, fmt.Errorf("no %s or %s: run npm install --package-lock-only first", ShrinkwrapName, LockName)
}

// ReadLock reads the project's lockfile from fsys as npm chooses it
// ([FindLock]). It returns the name of the file read.
func ReadLock(fsys fs.FS) (name, data string, err error) {
	name, err = FindLock(fsys)
	if err != nil {
		return name, "", err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return name, "", err
	}
	defer f.Close()
	data, err = readString(f, name)
	return name, data, err
}

// readString reads a file straight into a string: the parse reads the
// text as a string, and a lockfile runs to megabytes, which a conversion
// from bytes would copy (and the copy's memory is costly to touch).
func readString(f fs.File, name string) (string, error) {
	var b strings.Builder
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		b.Grow(int(fi.Size()))
	}
	if _, err := io.Copy(&b, f); err != nil {
		return "", &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return b.String(), nil
}

// ParseFile parses the lockfile name in fsys as [Parse] does; file names
// it in messages. Errors reading it are *fs.PathError, as [ReadLock]'s.
//
// A regular file of an [os.DirFS] is mapped into memory on Linux instead of
// read: the parse then reads the kernel's cached pages where a read would
// first copy megabytes into fresh memory, which costs a fresh process a
// tenth of its time. The mapping lasts for the call only (the graph owns
// copies of what it keeps), and a file cut short by another program while
// it is mapped gives an error, not a crash.
func ParseFile(fsys fs.FS, name, file string, pkgJSON []byte, opts Options) (*lockfile.Graph, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var g *lockfile.Graph
	if osf, ok := f.(*os.File); ok {
		mapped, err := parseMapped(osf, func(text string) (err error) {
			g, err = Parse(file, text, pkgJSON, opts)
			return err
		})
		if mapped {
			return g, err
		}
	}
	text, err := readString(f, name)
	if err != nil {
		return nil, err
	}
	return Parse(file, text, pkgJSON, opts)
}

// ParseFS parses the project's lockfile ([FindLock], [ParseFile]) with,
// when present, package.json from the root of fsys.
func ParseFS(fsys fs.FS, opts Options) (*lockfile.Graph, error) {
	name, err := FindLock(fsys)
	if err != nil {
		return nil, err
	}
	pkg, err := fs.ReadFile(fsys, "package.json")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return ParseFile(fsys, name, name, pkg, opts)
}

// Parse reads a package-lock.json given as data. file names it in errors.
// pkgJSON is the project's package.json, or nil; version 1 lockfiles take
// the root's dependency kinds and workspaces from it. pkgJSON must not
// change during the call. The graph keeps no reference to either: data,
// megabytes, can be freed once Parse returns.
func Parse(file, data string, pkgJSON []byte, opts Options) (*lockfile.Graph, error) {
	return parse(file, data, pkgJSON, opts, false)
}

// parse is Parse; slow takes the slow path whatever the text (FuzzScan
// compares the two).
func parse(file, data string, pkgJSON []byte, opts Options, slow bool) (*lockfile.Graph, error) {
	p := newParser(file, data, opts)
	var g *lockfile.Graph
	var err error
	ok := false
	if !slow {
		g, ok, err = p.parseScanned(pkgJSON)
	}
	if !ok {
		p = newParser(file, data, opts)
		g, err = p.parseChecked(pkgJSON)
	}
	if err == nil {
		p.warnEmpty()
		if p.opts.Warn != nil {
			for _, w := range p.sortedWarnings() {
				p.opts.Warn(w.Error())
			}
		}
	}
	return g, err
}

func newParser(file, data string, opts Options) *parser {
	// Entries take 400 to 1,000 bytes; sizing the maps up front spares
	// growing them step by step.
	return &parser{file: file, data: data, opts: opts, sizeHint: len(data) / 800}
}

// parseScanned is the parse on the scan's reading of the text ([parser.scan]);
// ok is false when the scan stopped.
func (p *parser) parseScanned(pkgJSON []byte) (g *lockfile.Graph, ok bool, err error) {
	t, c, ok := p.scan()
	if !ok {
		return nil, false, nil
	}
	g, err = p.parse(pkgJSON, t, c)
	return g, true, err
}

// parseChecked is the slow path: validate the text, then read it with
// gjson alone.
func (p *parser) parseChecked(pkgJSON []byte) (*lockfile.Graph, error) {
	if err := p.validate(p.data); err != nil {
		return nil, err
	}
	return p.parse(pkgJSON, readTop(gjson.Parse(p.data)), nil)
}

// parse reads the valid JSON text whose top level is t; c holds the
// entries of "packages" when the scan has read them.
func (p *parser) parse(pkgJSON []byte, top top, c *collected) (*lockfile.Graph, error) {
	root := gjson.Parse(p.data)
	if !root.IsObject() {
		return nil, p.errAt(root, "want a JSON object at the top level")
	}
	v := top.lockfileVersion
	if v.Type != gjson.Number || (v.Num != 1 && v.Num != 2 && v.Num != 3) {
		if !v.Exists() {
			return nil, p.errAt(root, "no lockfileVersion: not an npm lockfile")
		}
		return nil, p.errAt(v, fmt.Sprintf("unsupported lockfileVersion %s (want 1, 2 or 3)", v.Raw))
	}
	n := p.sizeHint
	if c != nil {
		n = len(c.order) // (a package an entry, but for links and few others)
	}
	p.byLoc = make(map[string]*lockfile.Package, n)
	p.g = &lockfile.Graph{Packages: make([]*lockfile.Package, 0, n)}
	p.g.Root.Name = p.tab.copy(top.name.String())
	p.g.Root.Version = p.tab.copy(top.version.String())
	var err error
	if v.Num == 1 {
		p.g.PlatformsUnlocked = true
		err = p.parseV1(root, top.dependencies, pkgJSON)
	} else {
		err = p.parseV2(root, top.packages, c, pkgJSON)
	}
	if err != nil {
		return nil, err
	}
	if len(p.errs) > 0 {
		// Report in file order, whichever pass found them.
		slices.SortStableFunc(p.errs, func(a, b error) int {
			return byPlace(a.(*lockfile.Error), b.(*lockfile.Error))
		})
		return nil, errors.Join(p.errs...)
	}
	p.assignIDs()
	p.g.Sort()
	return p.g, nil
}

// The graph owns its strings: each string it takes from the lockfile's
// text is copied (into p.tab's blocks) where it is read, while those bytes
// are in the processor's cache; a few hundred kilobytes of pieces of the
// text would otherwise keep all of it (megabytes, read into memory) alive
// for as long as the graph lives, and the collector's heap goal with it
// (overleaf: 2.75 MB live after the parse instead of 5.5 MB).
// TestGraphLetsTheTextGo checks that none is missed.

// strtab copies strings into blocks it fills one after the other. A
// string handed out is an ordinary string: a block lives as long as one
// of its strings does, and a strings.Builder never changes what it wrote.
type strtab struct {
	block strings.Builder
	// interned holds the strings intern hands out, seen their places
	// (offset << 8 | length), both made on first use.
	interned strings.Builder
	seen     []uint32
}

// intern is copy for strings that recur: a dependency's name and range
// (aws's 16,940 edges hold 1,280 names and 936 ranges). A string seen
// before is handed out again. The strings interned sit in one block of
// their own, which a table of 4-byte slots indexes: neither grows, and a
// string that finds no room in them is copied as copy does.
func (t *strtab) intern(s string) string {
	if len(s) == 0 || len(s) > maxInterned {
		return t.copy(s)
	}
	if t.seen == nil {
		t.seen = make([]uint32, internSlots)
		t.interned.Grow(internBytes)
	}
	held := t.interned.String()
	for i, n := hashShort(s), 0; n < 8; i, n = i+1, n+1 {
		slot := &t.seen[i&(internSlots-1)]
		if *slot == 0 {
			if len(held)+len(s) > internBytes {
				break
			}
			t.interned.WriteString(s)
			*slot = uint32(len(held))<<8 | uint32(len(s))
			return t.interned.String()[len(held):]
		}
		if off, n := int(*slot>>8), int(*slot&0xff); held[off:off+n] == s {
			return held[off : off+n]
		}
	}
	return t.copy(s)
}

const (
	// maxInterned is the longest string intern keeps (a slot holds its
	// length in 8 bits).
	maxInterned = 64
	// internSlots and internBytes bound the table (32 KiB) and the block
	// (aws's names and ranges take 25 KB, overleaf's 51).
	internSlots = 8192
	internBytes = 96 << 10
)

// hashShort mixes the bytes of a short string, eight at a time.
func hashShort(s string) uint {
	h := uint64(len(s)) * 0x9e3779b97f4a7c15
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = (h ^ w) * 0xff51afd7ed558ccd
		h ^= h >> 32
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 0x100000001b3
	}
	h ^= h >> 29
	h *= 0xc4ceb9fe1a85ec53
	return uint(h ^ h>>32)
}

func (t *strtab) copy(s string) string {
	if s == "" {
		return ""
	}
	if t.block.Cap()-t.block.Len() < len(s) {
		t.block = strings.Builder{}
		t.block.Grow(max(64<<10, len(s)))
	}
	start := t.block.Len()
	t.block.WriteString(s)
	return t.block.String()[start:]
}

type parser struct {
	file string
	data string
	opts Options
	g    *lockfile.Graph
	// byLoc and byKey group the installs of one artifact (name, version
	// and source). Nearly every artifact has a location of its own (a URL
	// or a path), so byLoc, keyed by that short string, finds them; the
	// rare ones that share a location go to byKey.
	byLoc map[string]*lockfile.Package
	byKey map[artifact]*lockfile.Package
	// lastPos is the last place pos found.
	lastPos place
	// sizeHint guesses the number of entries from the file's size.
	sizeHint int
	// Records are allocated in blocks: a lockfile has thousands, and one
	// allocation each would cost more than the records themselves.
	entries  slab[entry]
	packages slab[lockfile.Package]
	edgeList slab[lockfile.Edge]
	installs slab[lockfile.Install]
	// tab holds the strings the graph takes from the text (see strtab).
	tab strtab
	// edgeBuf collects an entry's edges before they are copied to edgeList.
	edgeBuf []lockfile.Edge
	errs    []error
	// warnings are what npm ci stops on and Options.AllowOutOfSync lets
	// pass.
	warnings []*lockfile.Error
	// stops counts the errors in errs that are what npm ci stops on,
	// not what makes the file unreadable.
	stops int
	// v1nodes holds a version 1 file's entries by install path.
	v1nodes map[string]*entry
	// empty lists the entries dropped as {}, for one warning.
	empty []string
	// ctx names the entry being read, for field errors.
	ctx string
	// fields is reused for each entry's members.
	fields fields
}

// validate rejects what gjson would silently accept: invalid UTF-8 and
// malformed JSON.
func (p *parser) validate(data string) error {
	if !utf8.ValidString(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRuneInString(data[off:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			off += n
		}
		return p.errOff(off, "invalid UTF-8")
	}
	// gjson.Valid recurses once per level.
	if off := jsondepth.Over(data); off >= 0 {
		return p.errOff(off, fmt.Sprintf("arrays and objects nested more than %d deep", jsondepth.Max))
	}
	if gjson.Valid(data) {
		if off := nulEscape(data); off >= 0 {
			return p.errOff(off, `a string holds a NUL character (\u0000), which Nix strings cannot hold`)
		}
		return nil
	}
	var v any
	err := json.Unmarshal([]byte(data), &v)
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset >= int64(len(data)) {
		return p.errOff(len(data), "unexpected end of input: the JSON is truncated")
	}
	if errors.As(err, &se) {
		msg := strings.TrimPrefix(se.Error(), "invalid character ")
		if msg != se.Error() {
			msg = "unexpected " + msg
		}
		return p.errOff(int(se.Offset)-1, msg)
	}
	if err != nil {
		return p.errOff(len(data), err.Error())
	}
	return p.errOff(len(data), "invalid JSON")
}

func byPlace(a, b *lockfile.Error) int {
	return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
}

// sortedWarnings returns the warnings in file order.
func (p *parser) sortedWarnings() []*lockfile.Error {
	slices.SortStableFunc(p.warnings, byPlace)
	return p.warnings
}

func (p *parser) errOff(off int, msg string) *lockfile.Error {
	line, col := position(p.data, off)
	return &lockfile.Error{File: p.file, Line: line, Col: col, Msg: msg}
}

// errAt reports a problem at a value. gjson gives offsets only for values
// it read from the document; others are reported without a place.
func (p *parser) errAt(r gjson.Result, msg string) *lockfile.Error {
	if r.Index > 0 || (r.Index == 0 && r.Raw != "" && strings.HasPrefix(p.data, r.Raw)) {
		return p.errOff(r.Index, msg)
	}
	return &lockfile.Error{File: p.file, Msg: msg}
}

// pos is the place of a value, as errAt finds it.
//
// Places are asked for in file order, once per local source: each count
// goes on from the last place instead of from the start of the file.
func (p *parser) pos(r gjson.Result) lockfile.Pos {
	if r.Index <= 0 {
		e := p.errAt(r, "")
		return lockfile.Pos{File: e.File, Line: e.Line, Col: e.Col}
	}
	last := &p.lastPos
	if r.Index < last.off || last.line == 0 {
		*last = place{}
	}
	if last.line == 0 {
		last.line = 1
	}
	// Lines after the last place, then the column on the line.
	chunk := p.data[last.off:min(r.Index, len(p.data))]
	if n := strings.Count(chunk, "\n"); n > 0 {
		last.line += n
		last.lineStart = last.off + strings.LastIndexByte(chunk, '\n') + 1
	}
	last.off = min(r.Index, len(p.data))
	col := 1 + utf8.RuneCountInString(p.data[last.lineStart:last.off])
	return lockfile.Pos{File: p.file, Line: last.line, Col: col}
}

// position is [lockfile.Position] for text held as a string.
func position(data string, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line = 1 + strings.Count(before, "\n")
	start := strings.LastIndexByte(before, '\n') + 1
	col = 1 + utf8.RuneCountInString(before[start:])
	return line, col
}

// place is a place in the file: a byte offset, its line, and where
// that line starts.
type place struct{ off, line, lineStart int }

func (p *parser) fail(r gjson.Result, format string, args ...any) {
	p.errs = append(p.errs, p.errAt(r, fmt.Sprintf(format, args...)))
}

// entry is one lockfile record, in either version's shape. A lockfile has
// thousands, held until the tree is checked: they are kept small.
type entry struct {
	path     string
	name     string
	version  string
	resolved member
	integ    member
	deps     []lockfile.Edge
	license  string
	at       member
	// more is nil for the many entries that have none of it.
	more *entryMore
	// The one-byte fields last, together: 200 bytes an entry, not 312.
	flags   lockfile.Flags
	link    bool
	scripts bool
	// bundlesAll: bundleDependencies is true (all of them).
	bundlesAll bool
	// shrinkwrap: the package ships its own npm-shrinkwrap.json, which
	// decides its dependencies.
	shrinkwrap bool
	// walked: the completeness walk has reached the entry.
	walked bool
}

// entryMore is what few entries have, kept apart from the thousands of
// others.
type entryMore struct {
	target string // a link's target folder
	// bundles names the dependencies the package ships inside its own
	// archive (bundleDependencies).
	bundles []string
	// engines are an optional package's.
	engines []lockfile.Engine
	bins    []lockfile.Bin
	// platform is set for the packages that do not run anywhere.
	platform lockfile.Platform
}

// setMore returns e.more, made on first use.
func (e *entry) setMore() *entryMore {
	if e.more == nil {
		e.more = &entryMore{}
	}
	return e.more
}

// target is a link's target folder.
func (e *entry) target() string {
	if e.more == nil {
		return ""
	}
	return e.more.target
}

func (e *entry) bundles() []string {
	if e.more == nil {
		return nil
	}
	return e.more.bundles
}

func (e *entry) engines() []lockfile.Engine {
	if e.more == nil {
		return nil
	}
	return e.more.engines
}

func (e *entry) bins() []lockfile.Bin {
	if e.more == nil {
		return nil
	}
	return e.more.bins
}

// member is a gjson.Result of the lockfile's text kept in 32 bytes
// instead of 80: what [member.result] needs to give it back whole.
type member struct {
	raw   string
	index int
	typ   gjson.Type
}

func memberOf(r gjson.Result) member { return member{r.Raw, r.Index, r.Type} }

// result is the gjson.Result m was made of: its string unescaped again,
// its number read again, as gjson reads them.
func (m member) result() gjson.Result {
	r := gjson.Result{Type: m.typ, Raw: m.raw, Index: m.index}
	switch m.typ {
	case gjson.String:
		if strings.IndexByte(m.raw, '\\') < 0 {
			r.Str = m.raw[1 : len(m.raw)-1]
		} else {
			r.Str = gjson.Parse(m.raw).Str
		}
	case gjson.Number:
		r.Num, _ = strconv.ParseFloat(m.raw, 64)
	}
	return r
}

// top holds the members of the lockfile's top level that lock2nix reads.
type top struct {
	lockfileVersion, name, version, packages, dependencies gjson.Result
}

// readTop reads them in one pass; as with gjson's Get, the first of two
// members with one name counts. (Looking each up would rescan the file
// to the end for every one it lacks, and v2 files lack "version".)
func readTop(root gjson.Result) top {
	var t top
	root.ForEach(func(k, v gjson.Result) bool {
		if r := t.slot(k.Str); r != nil && !r.Exists() {
			*r = v
		}
		return true
	})
	return t
}

// slot returns where the member named key goes, or nil.
func (t *top) slot(key string) *gjson.Result {
	switch key {
	case "lockfileVersion":
		return &t.lockfileVersion
	case "name":
		return &t.name
	case "version":
		return &t.version
	case "packages":
		return &t.packages
	case "dependencies":
		return &t.dependencies
	}
	return nil
}

// parseV2 reads the "packages" map of lockfileVersion 2 and 3.
func (p *parser) parseV2(root, pkgs gjson.Result, c *collected, pkgJSON []byte) error {
	if !pkgs.Exists() {
		return p.errAt(root, `no "packages" object: lockfileVersion 2 and 3 need one`)
	}
	if !pkgs.IsObject() {
		return p.errAt(pkgs, fmt.Sprintf(`"packages" must be an object, not %s`, kind(pkgs)))
	}
	if c == nil {
		c = p.readPackages(pkgs)
	}
	entries, order := c.entries, c.order
	if r, ok := entries[""]; ok {
		if r.name != "" {
			p.g.Root.Name = r.name
		}
		if r.version != "" {
			p.g.Root.Version = r.version
		}
		p.g.Root.Deps = r.deps
	}
	globs := workspaceGlobs(pkgs.Get(gjson.Escape("")).Get("workspaces"))
	// Link targets: folders whose metadata sits under their own key.
	links := map[string][]string{}
	for _, e := range order {
		key := e.path
		if e.link {
			target := e.resolved.result().String()
			e.setMore().target = p.tab.copy(target)
			if err := checkRelative(target); err != nil {
				p.fail(e.resolved.result(), "%s: link target: %v", key, err)
				continue
			}
			links[target] = append(links[target], key)
		}
	}
	for _, e := range order {
		key := e.path
		switch {
		case key == "":
		case e.link:
			// Installed as a link; the target folder's entry holds the data.
		case !inNodeModules(key):
			p.addFolder(e, links[key], globs)
		default:
			src, ok := p.sourceV2(e, entries)
			if ok {
				p.add(e, src)
			}
		}
	}
	// A link whose target has no entry of its own (a folder npm could not
	// read) still becomes a package, so that the layout is complete. A
	// link to another installed package ("node_modules/a" → "node_modules/b")
	// or to the root becomes a link package beside it, with its data.
	installedLinked := map[string]bool{}
	for _, e := range order {
		key := e.path
		if !e.link {
			continue
		}
		target := e.target()
		t, ok := entries[target]
		switch {
		case !ok:
			t = &entry{path: target, name: nameFromPath(key), at: e.at}
			p.addFolder(t, links[target], globs)
			entries[target] = t
		case (target == "" || inNodeModules(target)) && !t.link && !installedLinked[target]:
			// The root is a folder too: a link to it ("node_modules/self"
			// → "") is one to the project.
			installedLinked[target] = true
			l := *t
			l.version = ""
			p.addFolder(&l, links[target], nil)
		}
	}
	if len(p.errs) == p.stops {
		p.checkComplete(entries, order, p.g.Root.Workspaces, pkgJSON)
	}
	return nil
}

// readPackages reads the entries of "packages" with gjson, in file order.
func (p *parser) readPackages(pkgs gjson.Result) *collected {
	c := &collected{entries: make(map[string]*entry, p.sizeHint), order: make([]*entry, 0, p.sizeHint)}
	pkgs.ForEach(func(k, v gjson.Result) bool {
		key := k.String()
		if _, dup := c.entries[key]; dup {
			p.fail(k, "packages key %q appears twice", key)
			return true
		}
		if !v.IsObject() {
			p.fail(v, "packages[%q] must be an object, not %s", key, kind(v))
			return true
		}
		if key != "" && isEmptyObject(v) {
			p.empty = append(p.empty, key)
			return true
		}
		if !p.checkKey(k) {
			return true
		}
		key = p.tab.copy(key)
		e := p.entries.one()
		c.entries[key] = e
		c.order = append(c.order, e)
		p.readEntryInto(e, key, v)
		return true
	})
	return c
}

// checkKey checks the install path k of a "packages" entry, reporting
// what is wrong with it.
func (p *parser) checkKey(k gjson.Result) bool {
	key := k.Str
	if key == "" {
		return true
	}
	// A folder outside the project keeps its own dependencies in its own
	// node_modules ("../lib/node_modules/a"): the path below the folder
	// is checked like any install path, the folder itself where the
	// boundary of local paths is drawn.
	checked := key
	if outside, ok := outsideLinkTarget(key); ok {
		if path.Clean(outside) != outside {
			p.fail(k, "packages key %q: the folder %q is not a clean path", key, outside)
			return false
		}
		checked = strings.TrimPrefix(key, outside+"/")
	}
	if err := checkPath(checked); err != nil {
		p.fail(k, "packages key %q: %v", key, err)
		return false
	}
	return true
}

// isEmptyObject reports whether v is {}: npm reads such an entry as
// damaged and drops it.
func isEmptyObject(v gjson.Result) bool {
	switch {
	case !v.Exists():
		return true
	case v.Type != gjson.JSON || len(v.Raw) < 2:
		return false
	}
	// "{" or "[", then its closer after any space: read off the text
	// rather than parsing the first member, as gjson's ForEach would.
	rest := strings.TrimLeft(v.Raw[1:], " \t\r\n")
	return rest != "" && (rest[0] == '}' || rest[0] == ']')
}

// warnEmpty reports the entries dropped as empty, in one warning, once
// the file is known to be valid.
func (p *parser) warnEmpty() {
	if len(p.empty) > 0 && p.opts.Damaged != nil {
		damaged := make([]string, len(p.empty))
		for i, k := range p.empty {
			damaged[i] = strings.Clone(k) // (not pieces of the lockfile's text: see own)
		}
		p.opts.Damaged(damaged)
	}
	if len(p.empty) == 0 || p.opts.Warn == nil {
		return
	}
	what := "1 entry is"
	if len(p.empty) > 1 {
		what = fmt.Sprintf("%d entries are", len(p.empty))
	}
	p.opts.Warn(oneline.Escape(fmt.Sprintf("%s: %s empty ({}), as in a damaged lockfile; npm drops them, and so does lock2nix: %s",
		p.file, what, strings.Join(p.empty, ", "))))
}

// outsideLinkTarget reports whether an install path lies under a folder
// outside the project ("../lib/node_modules/a"), and that folder.
func outsideLinkTarget(key string) (string, bool) {
	dir, _, ok := strings.Cut(key, "/node_modules/")
	if !ok || !(dir == ".." || strings.HasPrefix(dir, "../")) {
		return "", false
	}
	return dir, true
}

func (p *parser) readEntry(key string, v gjson.Result) *entry {
	e := p.entries.one()
	p.readEntryInto(e, key, v)
	return e
}

func (p *parser) readEntryInto(e *entry, key string, v gjson.Result) {
	p.fields.read(v)
	p.fromFields(e, key, v)
}

// fromFields reads the entry at key, whose text is v, from p.fields.
func (p *parser) fromFields(e *entry, key string, v gjson.Result) {
	p.ctx = key
	if key == "" {
		p.ctx = "root package"
	}
	defer func() { p.ctx = "" }()
	*e = entry{path: key, at: memberOf(v)}
	// The members are read straight from the struct, not looked up by
	// name: this runs for every entry.
	o := &p.fields
	e.name = p.str(o.name, "name")
	if e.name == "" && key != "" {
		e.name = nameFromPath(key)
	}
	e.version = p.str(o.version, "version")
	e.resolved = memberOf(o.resolved)
	e.integ = memberOf(o.integrity)
	e.link = p.bool(o.link, "link")
	// The install flags of both lockfile shapes; v1 says "bundled" where
	// v2 says "inBundle".
	for _, f := range [...]struct {
		r     *gjson.Result
		field string
		flag  lockfile.Flags
	}{
		{&o.dev, "dev", lockfile.FlagDev},
		{&o.optional, "optional", lockfile.FlagOptional},
		{&o.devOptional, "devOptional", lockfile.FlagDevOptional},
		{&o.inBundle, "inBundle", lockfile.FlagBundled},
		{&o.bundled, "bundled", lockfile.FlagBundled},
		{&o.extraneous, "extraneous", lockfile.FlagExtraneous},
		{&o.peer, "peer", lockfile.FlagPeer},
	} {
		if f.r.Type != gjson.Null && p.bool(*f.r, f.field) {
			e.flags |= f.flag
		}
	}
	e.scripts = p.bool(o.hasInstallScript, "hasInstallScript")
	e.shrinkwrap = o.hasShrinkwrap.Type == gjson.True
	if b, all := bundles(o.bundleDependencies, o.bundledDependencies); b != nil || all {
		e.setMore().bundles, e.bundlesAll = b, all
	}
	e.license = p.license(o.license)
	e.deps = p.edges(o)
	if os, cpu, libc := p.strs(o.os, "os"), p.strs(o.cpu, "cpu"), p.strs(o.libc, "libc"); len(os)+len(cpu)+len(libc) > 0 {
		e.setMore().platform = lockfile.Platform{OS: os, CPU: cpu, Libc: libc}
	}
	if bins := p.bins(o.bin, e.name); bins != nil {
		e.setMore().bins = bins
	}
	if e.flags.Has(lockfile.FlagOptional) {
		// npm checks the engines of optional packages only.
		if engines := p.engines(o.engines); engines != nil {
			e.setMore().engines = engines
		}
	}
}

// sourceV2 decides where an installed (node_modules) entry comes from.
func (p *parser) sourceV2(e *entry, entries map[string]*entry) (lockfile.Source, bool) {
	if e.flags.Has(lockfile.FlagBundled) && bundler(e.path, func(k string) (bundled, fetched bool) {
		a, ok := entries[k]
		if !ok {
			return false, false
		}
		return a.flags.Has(lockfile.FlagBundled), inNodeModules(k) && !a.link
	}) {
		return lockfile.Source{Kind: lockfile.Bundled}, true
	}
	return p.resolve(e, e.version)
}

// resolve turns resolved, integrity and version into a Source.
func (p *parser) resolve(e *entry, version string) (lockfile.Source, bool) {
	raw := ""
	resolved, integ := e.resolved.result(), e.integ.result()
	if resolved.Type == gjson.String {
		raw = resolved.Str
	} else if resolved.Exists() && resolved.Type != gjson.False && resolved.Type != gjson.Null {
		p.fail(resolved, "%s: resolved must be a string, not %s", e.path, kind(resolved))
		return lockfile.Source{}, false
	}
	var hash lockfile.Hash
	if integ.Exists() && integ.Type != gjson.Null {
		if integ.Type != gjson.String {
			p.fail(integ, "%s: integrity must be a string, not %s", e.path, kind(integ))
			return lockfile.Source{}, false
		}
		h, err := parseIntegrity(integ.Str)
		if err != nil {
			p.fail(integ, "%s: %v", e.path, err)
			return lockfile.Source{}, false
		}
		hash = h
	}
	switch {
	case raw == "" && (isGitSpec(version) || isGitHubShorthand(version)):
		raw = version
		fallthrough
	case isGitSpec(raw):
		src, err := parseGit(raw)
		if err != nil {
			p.fail(e.resolvedOr(), "%s: %v", e.path, err)
			return lockfile.Source{}, false
		}
		src.URL, src.Rev = p.tab.copy(src.URL), p.tab.copy(src.Rev)
		if src.Dir != "" {
			src.Dir = p.tab.copy(src.Dir)
		}
		switch {
		case src.Repo != "":
			// GitHub's archive: the run stops on it, where the lockfile
			// names it, until the pins file hashes it.
			src.Repo, src.Origin = p.tab.copy(src.Repo), p.pos(e.resolvedOr())
		case strings.HasPrefix(src.URL, "file:"):
			// A repository on this machine, held to the boundary where
			// the lockfile names it.
			src.Origin = p.pos(e.resolvedOr())
		}
		return src, true
	case strings.HasPrefix(raw, "file:"):
		rel := strings.TrimPrefix(raw, "file:")
		if err := checkRelative(rel); err != nil {
			p.fail(resolved, "%s: %v", e.path, err)
			return lockfile.Source{}, false
		}
		if isArchive(rel) {
			return lockfile.Source{Kind: lockfile.LocalTarball, Path: p.tab.copy(path.Clean(rel)), Hash: hash, Origin: p.pos(resolved)}, true
		}
		return lockfile.Source{Kind: lockfile.Directory, Path: p.tab.copy(path.Clean(rel)), Origin: p.pos(resolved)}, true
	case raw != "":
		if err := parseTarballURL(raw); err != nil {
			p.fail(resolved, "%s: %v", e.path, err)
			return lockfile.Source{}, false
		}
		url := p.opts.Registry.rewrite(e.name, raw)
		if url == raw {
			url = p.tab.copy(url) // (a URL made anew is the graph's already)
		}
		return lockfile.Source{Kind: lockfile.Tarball, URL: url, Hash: hash}, true
	}
	// No resolved URL: npm fetches name@version from the configured
	// registry.
	if version == "" {
		p.fail(e.at.result(), "%s: no version and no resolved URL", e.path)
		return lockfile.Source{}, false
	}
	return lockfile.Source{Kind: lockfile.Tarball, URL: p.opts.Registry.tarballURL(e.name, version), Hash: hash}, true
}

// parseIntegrity is lockfile.ParseIntegrity, which splits the text at
// white space (Unicode's) first: nearly every entry holds one digest, in
// ASCII without space, which is read as it is.
func parseIntegrity(s string) (lockfile.Hash, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= utf8.RuneSelf {
			return lockfile.ParseIntegrity(s)
		}
	}
	if s == "" {
		return lockfile.ParseIntegrity(s)
	}
	return lockfile.ParseSRI(s)
}

func (e *entry) resolvedOr() gjson.Result {
	if r := e.resolved.result(); r.Exists() {
		return r
	}
	return e.at.result()
}

// addFolder records a folder of the project (a workspace or a file:
// dependency) that links point to.
func (p *parser) addFolder(e *entry, linkedFrom []string, globs []string) {
	// Clean, so that "./../lib" is known for the folder outside the
	// project it is.
	rel := path.Clean(e.path)
	if matchAny(globs, e.path) {
		p.g.Root.Workspaces = append(p.g.Root.Workspaces, e.path)
	}
	pkg := p.add(e, lockfile.Source{Kind: lockfile.Link, Path: rel, Origin: p.pos(e.at.result())})
	// (Cleared, not only cut: what lies past the length is still held.)
	clear(pkg.Installs)
	pkg.Installs = pkg.Installs[:0]
	for _, from := range linkedFrom {
		p.install(pkg, lockfile.Install{Path: from, Flags: e.flags})
	}
}

// add files an install of e under its artifact, creating the package on
// first sight.
func (p *parser) add(e *entry, src lockfile.Source) *lockfile.Package {
	key := artifact{e.name, e.version, src.Kind, src.URL, src.Rev, src.Path}
	pkg, locTaken := p.lookup(key)
	if pkg == nil {
		pkg = p.packages.one()
		*pkg = lockfile.Package{
			Name: e.name, Version: e.version, Source: src,
			Deps: e.deps, Engines: e.engines(), Bins: e.bins(),
			HasInstallScript: e.scripts, License: e.license,
		}
		if e.more != nil {
			pkg.Platform = e.more.platform
		}
		p.store(key, pkg, locTaken)
		p.g.Packages = append(p.g.Packages, pkg)
	} else if !src.Hash.IsZero() {
		switch {
		case pkg.Source.Hash.IsZero():
			pkg.Source.Hash = src.Hash
		case pkg.Source.Hash.Algo == src.Hash.Algo && !pkg.Source.Hash.Equal(src.Hash):
			p.fail(e.integ.result(), "%s: integrity %s contradicts %s given for the same source elsewhere", e.path, src.Hash, pkg.Source.Hash)
		case src.Hash.Algo > pkg.Source.Hash.Algo:
			pkg.Source.Hash = src.Hash
		}
	}
	if pkg.Engines == nil {
		pkg.Engines = e.engines() // the first optional install brings them
	}
	p.install(pkg, lockfile.Install{Path: e.path, Flags: e.flags})
	return pkg
}

// install adds in to the installs of pkg. Most packages are installed
// once: their one install comes from a block, not an allocation of its
// own.
func (p *parser) install(pkg *lockfile.Package, in lockfile.Install) {
	old := pkg.Installs
	if len(old) == 0 {
		pkg.Installs = p.installs.copyOf([]lockfile.Install{in})
		return
	}
	pkg.Installs = append(old, in)
	if len(old) == cap(old) {
		// Moved: the old slots are cleared, for a block that other
		// packages hold must not keep the lockfile's text alive (see own).
		clear(old)
	}
}

// artifact identifies a package: name, version and source (Source.Key's
// parts, without building the string).
type artifact struct {
	name, version  string
	kind           lockfile.SourceKind
	url, rev, path string
}

func (a artifact) loc() string {
	switch a.kind {
	case lockfile.Tarball, lockfile.Git:
		return a.url
	case lockfile.Directory, lockfile.LocalTarball, lockfile.Link:
		return a.path
	}
	return a.name
}

func artifactOf(pkg *lockfile.Package) artifact {
	s := pkg.Source
	return artifact{pkg.Name, pkg.Version, s.Kind, s.URL, s.Rev, s.Path}
}

// lookup returns the package a names, or nil and whether a's location is
// taken by another artifact.
func (p *parser) lookup(a artifact) (pkg *lockfile.Package, locTaken bool) {
	pkg = p.byLoc[a.loc()]
	if pkg == nil || artifactOf(pkg) == a {
		return pkg, false
	}
	return p.byKey[a], true // byKey may be nil: no package then
}

func (p *parser) store(a artifact, pkg *lockfile.Package, locTaken bool) {
	if !locTaken {
		p.byLoc[a.loc()] = pkg
		return
	}
	if p.byKey == nil {
		p.byKey = map[artifact]*lockfile.Package{}
	}
	p.byKey[a] = pkg
}

// slab hands out pointers into blocks of Ts.
type slab[T any] struct{ block []T }

func (s *slab[T]) one() *T {
	if len(s.block) == cap(s.block) {
		s.block = make([]T, 0, 256)
	}
	s.block = s.block[:len(s.block)+1]
	return &s.block[len(s.block)-1]
}

// copyOf returns ts copied into a block, with no room to grow in place.
func (s *slab[T]) copyOf(ts []T) []T {
	if len(ts) == 0 {
		return nil
	}
	if len(ts) > cap(s.block)-len(s.block) {
		s.block = make([]T, 0, max(1024, len(ts)))
	}
	start := len(s.block)
	s.block = append(s.block, ts...)
	return s.block[start:len(s.block):len(s.block)]
}

// assignIDs names each package name@version, adding a short digest of the
// source where two sources lock the same name and version.
//
// The packages are sorted by that name to find the ones that share it
// (rather than counted in a map, whose memory is the costlier): the graph
// is sorted by ID next, which then finds them in order.
func (p *parser) assignIDs() {
	pkgs := p.g.Packages
	for _, pkg := range pkgs {
		pkg.ID = baseID(pkg)
	}
	slices.SortFunc(pkgs, func(a, b *lockfile.Package) int { return strings.Compare(a.ID, b.ID) })
	for i := 0; i < len(pkgs); {
		j := i + 1
		for j < len(pkgs) && pkgs[j].ID == pkgs[i].ID {
			j++
		}
		if j-i > 1 {
			for _, pkg := range pkgs[i:j] {
				sum := sha256.Sum256([]byte(idSource(pkg.Source).ID().String()))
				pkg.ID += "~" + hex.EncodeToString(sum[:4])
			}
		}
		i = j
	}
}

func baseID(pkg *lockfile.Package) string {
	if pkg.Version == "" {
		return pkg.Name + "@" + idSource(pkg.Source).Kind.String()
	}
	return pkg.Name + "@" + pkg.Version
}

// idSource is the source as a package's ID names it: GitHub's archive of
// a commit as that git commit, so that the ID is the same however the
// commit is fetched (lock2nix --allow-unpinned fetches it with git).
func idSource(s lockfile.Source) lockfile.Source {
	if s.Repo != "" {
		return s.AsGit()
	}
	return s
}

// bundler reports whether the install at p comes inside the archive of a
// fetched ancestor: the nearest enclosing package that is not itself
// bundled. look says, for an install path, whether it is bundled and
// whether it is a fetched (node_modules, non-link) package.
func bundler(p string, look func(string) (bundled, fetched bool)) bool {
	for {
		i := strings.LastIndex(p, "/node_modules/")
		if i < 0 {
			return false // the root or a workspace bundles it: npm fetches it
		}
		p = p[:i]
		bundled, fetched := look(p)
		if !bundled {
			return fetched
		}
	}
}

func inNodeModules(key string) bool {
	return strings.HasPrefix(key, "node_modules/") || strings.Contains(key, "/node_modules/")
}

// nameFromPath is the package name an install path implies:
// "node_modules/a/node_modules/@s/b" → "@s/b".
func nameFromPath(key string) string {
	// The last "node_modules/" ends at a slash: look back from each slash
	// (one or two: a name holds one at most) rather than search the key
	// for the string.
	for s := len(key); ; {
		if s = strings.LastIndexByte(key[:s], '/'); s < 0 {
			return path.Base(key)
		}
		if s >= len("node_modules") && key[s-len("node_modules"):s] == "node_modules" {
			return key[s+1:]
		}
	}
}

// checkPath rejects install paths that could escape the project.
func checkPath(key string) error {
	if strings.Contains(key, "\\") {
		return errors.New("contains a backslash")
	}
	if strings.HasPrefix(key, "/") {
		return errors.New("is absolute")
	}
	for i := 0; i < len(key); i++ {
		// Byte by byte: the bytes of a character beyond ASCII are all
		// 0x80 or above.
		if key[i] < 0x20 || key[i] == 0x7f {
			return errors.New("contains a control character")
		}
	}
	if !inNodeModules(key) {
		return nil // a folder of the project; checked where it is used
	}
	for rest := key; ; {
		seg, more, found := strings.Cut(rest, "/")
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("has a %q segment", seg)
		}
		if !found {
			return nil
		}
		rest = more
	}
}

// checkRelative rejects file: paths that are absolute or use backslashes.
func checkRelative(rel string) error {
	if strings.Contains(rel, "\\") {
		return fmt.Errorf("file path %q contains a backslash", rel)
	}
	if path.IsAbs(rel) {
		return fmt.Errorf("file path %q is absolute", rel)
	}
	return nil
}

func isArchive(p string) bool {
	for _, ext := range []string{".tgz", ".tar.gz", ".tar"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

func workspaceGlobs(w gjson.Result) []string {
	if w.IsObject() {
		w = w.Get("packages") // yarn's {packages, nohoist} form
	}
	var globs []string
	for _, g := range w.Array() {
		if g.Type == gjson.String {
			globs = append(globs, strings.TrimSuffix(strings.TrimPrefix(g.Str, "./"), "/"))
		}
	}
	return globs
}

func matchAny(globs []string, p string) bool {
	return slices.ContainsFunc(globs, func(g string) bool {
		ok, _ := path.Match(g, p)
		return ok || g == p
	})
}

func kind(r gjson.Result) string {
	switch {
	case r.IsObject():
		return "an object"
	case r.IsArray():
		return "an array"
	}
	switch r.Type {
	case gjson.String:
		return "a string"
	case gjson.Number:
		return "a number"
	case gjson.True, gjson.False:
		return "a boolean"
	case gjson.Null:
		return "null"
	}
	return "nothing"
}

func (p *parser) str(r gjson.Result, field string) string {
	if !r.Exists() || r.Type == gjson.Null {
		return ""
	}
	if r.Type != gjson.String {
		p.fieldErr(r, "%s must be a string, not %s", field, kind(r))
		return ""
	}
	return p.tab.copy(r.Str)
}

func (p *parser) bool(r gjson.Result, field string) bool {
	switch r.Type {
	case gjson.True:
		return true
	case gjson.False, gjson.Null:
		return false
	}
	if r.Exists() {
		p.fieldErr(r, "%s must be a boolean, not %s", field, kind(r))
	}
	return false
}

// strs reads a list of strings; npm also accepts a single string.
func (p *parser) strs(r gjson.Result, field string) []string {
	switch {
	case !r.Exists() || r.Type == gjson.Null:
		return nil
	case r.Type == gjson.String:
		return []string{p.tab.copy(r.Str)}
	case !r.IsArray():
		p.fieldErr(r, "%s must be an array of strings, not %s", field, kind(r))
		return nil
	}
	var out []string
	for _, s := range r.Array() {
		if s.Type != gjson.String {
			p.fieldErr(s, "%s must hold strings, not %s", field, kind(s))
			continue
		}
		out = append(out, p.tab.copy(s.Str))
	}
	return out
}

func (p *parser) license(r gjson.Result) string {
	switch {
	case r.Type == gjson.String:
		return p.tab.copy(r.Str)
	case r.IsObject():
		return p.tab.copy(r.Get("type").String()) // the deprecated {type, url} form
	}
	return ""
}

var edgeFields = [...]struct {
	field string
	kind  lockfile.DepKind
}{
	{"dependencies", lockfile.DepProd},
	{"devDependencies", lockfile.DepDev},
	{"optionalDependencies", lockfile.DepOptional},
	{"peerDependencies", lockfile.DepPeer},
	// v1 entries list what they need under "requires".
	{"requires", lockfile.DepProd},
}

func (p *parser) edges(v getter) []lockfile.Edge {
	out := p.edgeBuf[:0]
	defer func() { p.edgeBuf = out[:0] }()
	scanned, _ := v.(*fields)
	var meta gjson.Result
	if scanned != nil {
		meta = scanned.peerDependenciesMeta
	} else {
		meta = v.Get("peerDependenciesMeta")
	}
	for i, f := range edgeFields {
		var r gjson.Result
		switch {
		case scanned == nil:
			r = v.Get(f.field)
		case scanned.spans[i].ok:
			// Read by the scan (scanEdges), kinds but the peers' final.
			sp := scanned.spans[i]
			for _, e := range scanned.edges[sp.start:sp.end] {
				if e.Kind == lockfile.DepPeer && peerOptional(meta, e.Name) {
					e.Kind = lockfile.DepPeerOptional
				}
				out = append(out, e)
			}
			continue
		default:
			r = *scanned.edgeSlot(i) // (not looked up by name: this runs for every entry)
		}
		if !r.Exists() || r.Type == gjson.Null || (f.field == "requires" && r.Type == gjson.True) {
			continue
		}
		if !r.IsObject() {
			p.fieldErr(r, "%s must be an object, not %s", f.field, kind(r))
			continue
		}
		r.ForEach(func(k, spec gjson.Result) bool {
			if spec.Type != gjson.String {
				// v1 nests whole entries under "dependencies"; those
				// are not edges.
				return true
			}
			kind := f.kind
			if kind == lockfile.DepPeer && peerOptional(meta, k.Str) {
				kind = lockfile.DepPeerOptional
			}
			out = append(out, lockfile.Edge{Name: p.tab.intern(k.Str), Kind: kind, Spec: p.tab.intern(spec.Str)})
			return true
		})
	}
	return p.edgeList.copyOf(out)
}

func peerOptional(meta gjson.Result, name string) bool {
	found := false
	meta.ForEach(func(k, v gjson.Result) bool {
		if k.Str == name {
			found = v.Get("optional").Bool()
			return false
		}
		return true
	})
	return found
}

// bins reads "bin": an object of command → file, or one file named after
// the package.
func (p *parser) bins(r gjson.Result, name string) []lockfile.Bin {
	var out []lockfile.Bin
	switch {
	case !r.Exists() || r.Type == gjson.Null:
	case r.Type == gjson.String:
		if inPackage(r.Str) {
			out = append(out, lockfile.Bin{Name: path.Base(name), Path: p.tab.copy(r.Str)})
		}
	case r.IsObject():
		r.ForEach(func(k, t gjson.Result) bool {
			if t.Type != gjson.String {
				p.fieldErr(t, "bin %q must be a string, not %s", k.Str, kind(t))
				return true
			}
			if inPackage(t.Str) {
				out = append(out, lockfile.Bin{Name: p.tab.copy(k.Str), Path: p.tab.copy(t.Str)})
			}
			return true
		})
	default:
		p.fieldErr(r, "bin must be an object or a string, not %s", kind(r))
	}
	return out
}

// inPackage reports whether a bin's file lies inside its package: npm
// links no other, and the builders must not even look outside.
func inPackage(file string) bool {
	clean := path.Clean(file)
	return !path.IsAbs(clean) && clean != ".." && !strings.HasPrefix(clean, "../")
}

// engines reads "engines": {"node": ">=18", …}. npm reads only the object
// form's string values (an old array form, ["node >= 0.8"], it ignores),
// and so does this.
func (p *parser) engines(r gjson.Result) []lockfile.Engine {
	if !r.IsObject() {
		return nil
	}
	var out []lockfile.Engine
	r.ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.String {
			versions, _ := parseRange(v.Str)
			out = append(out, lockfile.Engine{Name: p.tab.copy(k.Str), Range: p.tab.copy(v.Str), Versions: versions})
		}
		return true
	})
	return out
}

// fieldErr reports a problem with a field of the entry being read.
func (p *parser) fieldErr(r gjson.Result, format string, args ...any) {
	if p.ctx != "" {
		format = "%s: " + format
		args = append([]any{p.ctx}, args...)
	}
	p.fail(r, format, args...)
}

// nulEscape returns the offset of the first \u0000 escape in valid JSON,
// or -1. A backslash preceded by an odd number of backslashes is itself
// escaped and starts nothing.
func nulEscape(data string) int {
	for i := 0; ; {
		j := strings.Index(data[i:], `\u0000`)
		if j < 0 {
			return -1
		}
		at := i + j
		n := 0
		for k := at - 1; k >= 0 && data[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return at
		}
		i = at + 1
	}
}

// getter reads one field of an object: a gjson.Result, or the fields of
// an object gathered in one pass.
type getter interface{ Get(string) gjson.Result }

// fields holds the members of an entry that the parser reads, gathered in
// one pass: looking each up with gjson would rescan the entry. A member
// given twice counts as its last value, as with JSON.parse.
type fields struct {
	name, version, resolved, integrity, link, hasInstallScript, license, bin gjson.Result
	dev, optional, devOptional, inBundle, bundled, extraneous, peer          gjson.Result
	dependencies, devDependencies, optionalDependencies, peerDependencies    gjson.Result
	requires, peerDependenciesMeta, os, cpu, libc, engines                   gjson.Result
	bundleDependencies, bundledDependencies, hasShrinkwrap                   gjson.Result
	// set lists the members filled by the last read, the only ones the
	// next read must clear (clearing all would cost more than reading).
	set []*gjson.Result
	// edges holds the edges the scan read from the dependency objects
	// (scanEdges), spans where each of edgeFields's lies: ok when the
	// scan read that member (its last occurrence) as an object.
	edges []lockfile.Edge
	spans [len(edgeFields)]edgeSpan
}

type edgeSpan struct {
	start, end int
	ok         bool
}

// edgeSlot is the member edgeFields[i] names.
func (f *fields) edgeSlot(i int) *gjson.Result {
	return [...]*gjson.Result{&f.dependencies, &f.devDependencies, &f.optionalDependencies, &f.peerDependencies, &f.requires}[i]
}

// edgeIndex returns the index in edgeFields of the member r is the slot
// of, or -1.
func (f *fields) edgeIndex(r *gjson.Result) int {
	switch r {
	case &f.dependencies:
		return 0
	case &f.devDependencies:
		return 1
	case &f.optionalDependencies:
		return 2
	case &f.peerDependencies:
		return 3
	case &f.requires:
		return 4
	}
	return -1
}

// slot returns where the member named key goes, or nil for members the
// parser does not read.
func (f *fields) slot(key string) *gjson.Result {
	switch key {
	case "name":
		return &f.name
	case "version":
		return &f.version
	case "resolved":
		return &f.resolved
	case "integrity":
		return &f.integrity
	case "link":
		return &f.link
	case "hasInstallScript":
		return &f.hasInstallScript
	case "license":
		return &f.license
	case "bin":
		return &f.bin
	case "dev":
		return &f.dev
	case "optional":
		return &f.optional
	case "devOptional":
		return &f.devOptional
	case "inBundle":
		return &f.inBundle
	case "bundled":
		return &f.bundled
	case "extraneous":
		return &f.extraneous
	case "peer":
		return &f.peer
	case "dependencies":
		return &f.dependencies
	case "devDependencies":
		return &f.devDependencies
	case "optionalDependencies":
		return &f.optionalDependencies
	case "peerDependencies":
		return &f.peerDependencies
	case "requires":
		return &f.requires
	case "peerDependenciesMeta":
		return &f.peerDependenciesMeta
	case "os":
		return &f.os
	case "cpu":
		return &f.cpu
	case "libc":
		return &f.libc
	case "engines":
		return &f.engines
	case "bundleDependencies":
		return &f.bundleDependencies
	case "bundledDependencies":
		return &f.bundledDependencies
	case "hasShrinkwrap":
		return &f.hasShrinkwrap
	}
	return nil
}

// clear empties f of the last read's members.
func (f *fields) clear() {
	for _, r := range f.set {
		*r = gjson.Result{}
	}
	f.set = f.set[:0]
	f.edges = f.edges[:0]
	f.spans = [len(f.spans)]edgeSpan{}
}

// read fills f from the object v.
func (f *fields) read(v gjson.Result) {
	f.clear()
	v.ForEach(func(k, val gjson.Result) bool {
		if r := f.slot(k.Str); r != nil {
			*r = val
			f.set = append(f.set, r)
		}
		return true
	})
}

// Get returns the member named key; a key the parser does not read is
// reported missing.
func (f *fields) Get(key string) gjson.Result {
	if r := f.slot(key); r != nil {
		return *r
	}
	return gjson.Result{}
}
