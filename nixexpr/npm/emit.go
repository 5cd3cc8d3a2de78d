// Package npm writes the Nix for a graph read from a package-lock.json: by
// default a data file (Schema: the sources, one JSON record per package,
// the root) that lock2nix's builders (entry.nix, builders.nix, layout.js,
// on ../node's layer) read; with EmitStandalone, one file that holds the
// builders too.
package npm

import (
	_ "embed"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/node"
)

// Schema is the newest version of the data file's layout, which Emit
// writes for a graph with a package in a folder of a git checkout (a
// record's gitDir, which schema 2's builders would ignore, installing the
// whole repository); a graph with a GitHub archive (a source fetched
// unpacked, { url; hash; unpack; }, which schema 1's builders do not
// fetch) is written in schema 2, any other in schema 1, the same bytes as
// before each. entry.nix lists the schemas the builders read; a change to
// what a data file holds or means takes a new one.
const Schema = 3

// schemaOf is the schema a data file of g is written in: the oldest that
// holds what it needs.
func schemaOf(g *lockfile.Graph) int {
	schema := 1
	for _, p := range g.Packages {
		switch {
		case p.Source.Dir != "" && p.Source.Fetchable():
			return 3
		case nixexpr.Unpacked(p.Source):
			schema = 2
		}
	}
	return schema
}

// formals are the standalone file's arguments beyond the layer's:
// fetchzip, for a graph with a GitHub archive.
func formals(g *lockfile.Graph) []nixexpr.Formal {
	for _, p := range g.Packages {
		if nixexpr.Unpacked(p.Source) {
			return []nixexpr.Formal{{Name: "fetchzip"}}
		}
	}
	return nil
}

// fetchedAs is the source as the file fetches it: a git host's archive
// that no pin hashes (lock2nix --allow-unpinned) as the git commit it is,
// with fetchGit, as before archives.
func fetchedAs(src lockfile.Source) lockfile.Source {
	if src.Kind == lockfile.Tarball && src.Repo != "" && src.Hash.IsZero() {
		return src.AsGit()
	}
	return src
}

// Emit writes g as a data file for lock2nix's builders: the schema, a
// source per distinct archive or commit, the package records and the
// root. Nothing is written on an error.
func Emit(w io.Writer, g *lockfile.Graph, h nixexpr.Header) error {
	f, err := Build(g, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

// EmitStandalone writes g as one file in callPackage style that holds
// the data and lock2nix's builders, as lock2nix wrote before data files.
func EmitStandalone(w io.Writer, g *lockfile.Graph, h nixexpr.Header) error {
	f, err := BuildStandalone(g, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

// Build returns the syntax tree Emit prints.
func Build(g *lockfile.Graph, h nixexpr.Header) (*nixexpr.File, error) {
	d, err := data(g, h)
	if err != nil {
		return nil, err
	}
	return nixexpr.Data(h, "npm", schemaOf(g), d), nil
}

// BuildStandalone returns the syntax tree EmitStandalone prints: the
// entry's arguments, and a body that calls entry.nix with the data and
// lock2nix's parts written out.
func BuildStandalone(g *lockfile.Graph, h nixexpr.Header) (*nixexpr.File, error) {
	d, err := data(g, h)
	if err != nil {
		return nil, err
	}
	return node.Standalone(h, node.Format{Name: "npm", Schema: schemaOf(g), Builders: builders, Layout: layoutJS, Entry: entry, Formals: formals(g)}, d), nil
}

//go:embed builders.nix
var builders string

//go:embed layout.js
var layoutJS string

//go:embed entry.nix
var entry string

// data returns the data file's bindings after format and schema:
// sources, records, root, and rootUp when some package is a path of the
// project.
func data(g *lockfile.Graph, h nixexpr.Header) ([]nixexpr.Binding, error) {
	// Check the records and name the sources before anything is laid
	// out, so that errors surface first.
	sources := nixexpr.NewSources(len(g.Packages))
	pkgSrc := make([]string, len(g.Packages))
	local := false // some package is a path of the project
	for i, p := range g.Packages {
		if err := checkRecord(p); err != nil {
			return nil, err
		}
		local = local || p.Source.Local()
		if !p.Source.Fetchable() {
			continue
		}
		name, err := sources.Add(p.ID, fetchedAs(p.Source))
		if err != nil {
			return nil, err
		}
		pkgSrc[i] = name
	}
	if err := checkFolderCycles(g); err != nil {
		return nil, err
	}
	recs := records(g, pkgSrc)
	root := g.Root
	bs := []nixexpr.Binding{
		nixexpr.Attr{Path: []string{"sources"}, Value: sources.Data()},
		nixexpr.Attr{Path: []string{"records"}, Value: recs, Comment: recordsComment},
		nixexpr.Attr{Path: []string{"root"}, Value: nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			nixexpr.Attr{Path: []string{"name"}, Value: nixexpr.String{Value: root.Name}},
			nixexpr.Attr{Path: []string{"version"}, Value: nixexpr.String{Value: root.Version}},
			nixexpr.Attr{Path: []string{"pname"}, Value: nixexpr.String{Value: nixexpr.DrvName(root.Name, "project")}},
			nixexpr.Attr{Path: []string{"drvVersion"}, Value: nixexpr.String{Value: nixexpr.DrvName(root.Version, "0")}},
			nixexpr.Attr{Path: []string{"deps"}, Value: nixexpr.AttrSet{Bindings: depNames(root.Deps)}},
			nixexpr.Attr{Path: []string{"workspaces"}, Value: nixexpr.Strings(root.Workspaces)},
		}}},
	}
	if g.PlatformsUnlocked {
		bs = append(bs, nixexpr.Attr{Path: []string{"platformsFromManifests"}, Value: nixexpr.Bool{Value: true},
			Comment: "The lockfile records no platforms: an optional package's own package.json decides, as npm reads it."})
	}
	if local {
		bs = append(bs, nixexpr.Attr{Path: []string{"rootUp"}, Value: nixexpr.String{Value: h.RootUp},
			Comment: "The way from src up to the folder local paths must stay inside."})
	}
	return bs, nil
}

// recordsComment explains the package records to a reader of the file.
const recordsComment = `The packages, one JSON record (npm.Record) a line. JSON because Nix
reads it only when a node_modules tree is built: evaluating the sources
alone costs no more than reading this text.`

// Record is one package as the data file's records hold it, keyed by its
// ID, and as builders.nix reads it. What the builders can derive is left
// out, since every byte here is read on each build: the name and version
// come from the ID "name@version", pname from the name, the source kind
// defaults to "tarball" and src to the source named after the package.
// Only dependency names are kept; the builders resolve names, not ranges.
type Record struct {
	// Name and Version, when the ID is not "name@version".
	Name    *string `json:"name,omitempty"`
	Version *string `json:"version,omitempty"`
	// Pname and DrvVersion, when the builders' rule ("@scope/x" →
	// "scope-x"; the version) gives no valid derivation name.
	Pname      string `json:"pname,omitempty"`
	DrvVersion string `json:"drvVersion,omitempty"`
	// Source is the kind of source (lockfile.SourceKind's name) but
	// "tarball"; Src names its fetcher in sources when not the ID; Path
	// is a local package's path, relative to the project.
	// A git host's archive of a commit is a "git" source.
	Source string `json:"source,omitempty"`
	Src    string `json:"src,omitempty"`
	Path   string `json:"path,omitempty"`
	// GitDir is the folder of a git checkout (or of a git host's archive)
	// that holds the package (lockfile.Source.Dir: npm's
	// "#COMMIT::path:DIR"), which the builders install in place of the
	// whole repository. Data files with one are schema 3.
	GitDir string `json:"gitDir,omitempty"`
	// Installs maps each place in the tree ("node_modules/a/node_modules/b")
	// to its flags (lockfile.Flags' names).
	Installs map[string][]string `json:"installs,omitempty"`
	// Bins maps a bin's name to its file in the package.
	Bins map[string]string `json:"bins,omitempty"`
	Deps *Deps             `json:"deps,omitempty"`
	// OS, CPU and Libc are npm's platform lists ("!name" excludes).
	OS   []string `json:"os,omitempty"`
	CPU  []string `json:"cpu,omitempty"`
	Libc []string `json:"libc,omitempty"`
	// Engines is the engines.node of a package installed as optional,
	// as alternatives of comparisons ("<23.0.0").
	Engines          *Engines `json:"engines,omitempty"`
	HasInstallScript bool     `json:"hasInstallScript,omitempty"`
	License          string   `json:"license,omitempty"`
}

// Deps lists a package's dependency names by kind.
type Deps struct {
	Prod         []string `json:"prod,omitempty"`
	Dev          []string `json:"dev,omitempty"`
	Optional     []string `json:"optional,omitempty"`
	Peer         []string `json:"peer,omitempty"`
	PeerOptional []string `json:"peerOptional,omitempty"`
}

// Engines holds the engines a record checks: node only.
type Engines struct {
	Node [][]string `json:"node"`
}

// records returns the package records: a JSON object, one package a line,
// each line made as it is printed. pkgSrc names each package's source in
// "sources" ("" when not fetched).
func records(g *lockfile.Graph, pkgSrc []string) nixexpr.Lines {
	return nixexpr.Lines{Each: func(yield func([]byte) bool) {
		w := recordWriter{b: make([]byte, 0, 4096)}
		if !yield(append(w.b[:0], '{')) {
			return
		}
		for i, p := range g.Packages {
			w.b = appendJSON(w.b[:0], p.ID)
			w.b = append(w.b, ": "...)
			w.record(p, pkgSrc[i])
			if i < len(g.Packages)-1 {
				w.b = append(w.b, ',')
			}
			if !yield(w.b) {
				return
			}
		}
		yield(append(w.b[:0], '}'))
	}}
}

// recordWriter writes a package's Record as JSON straight from the
// package, as encoding/json marshals the Record that record makes
// (TestRecordJSON checks that), without making it: every byte of the
// records is written on each run.
type recordWriter struct {
	b []byte
	n int // fields written in the object open
	// flags caches lockfile.Flags' names by value, as a JSON list.
	flags [1 << 8][]byte
}

// key starts field k.
func (w *recordWriter) key(k string) {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	w.b = appendJSON(w.b, k)
	w.b = append(w.b, ':')
}

// str writes field k when v is not empty.
func (w *recordWriter) str(k, v string) {
	if v != "" {
		w.key(k)
		w.b = appendJSON(w.b, v)
	}
}

// appendStrs appends a JSON list of strings.
func appendStrs(b []byte, vs []string) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSON(b, v)
	}
	return append(b, ']')
}

// list writes field k when vs is not empty.
func (w *recordWriter) list(k string, vs []string) {
	if len(vs) > 0 {
		w.key(k)
		w.b = appendStrs(w.b, vs)
	}
}

// writeObject writes field k: an object of items by key, the keys sorted
// and each once (the last item of a key wins), as encoding/json writes a
// map; value writes an item's value.
func writeObject[T any](w *recordWriter, k string, items []T, key func(T) string, value func(T)) {
	byKey := func(a, b T) int { return strings.Compare(key(a), key(b)) }
	if !slices.IsSortedFunc(items, byKey) {
		items = slices.Clone(items)
		slices.SortStableFunc(items, byKey)
	}
	w.key(k)
	w.b = append(w.b, '{')
	for i, it := range items {
		if i+1 < len(items) && key(items[i+1]) == key(it) {
			continue
		}
		if w.b[len(w.b)-1] != '{' {
			w.b = append(w.b, ',')
		}
		w.b = appendJSON(w.b, key(it))
		w.b = append(w.b, ':')
		value(it)
	}
	w.b = append(w.b, '}')
}

// installs writes field "installs" as writeObject would, without its
// calls through closures for every item and comparison: every package has
// installs, and aws has thousands.
func (w *recordWriter) installs(ins []lockfile.Install) {
	for i := 1; i < len(ins); i++ {
		if ins[i].Path < ins[i-1].Path {
			ins = slices.Clone(ins)
			slices.SortStableFunc(ins, func(a, b lockfile.Install) int { return strings.Compare(a.Path, b.Path) })
			break
		}
	}
	w.key("installs")
	w.b = append(w.b, '{')
	for i, in := range ins {
		if i+1 < len(ins) && ins[i+1].Path == in.Path {
			continue
		}
		if w.b[len(w.b)-1] != '{' {
			w.b = append(w.b, ',')
		}
		w.b = appendJSON(w.b, in.Path)
		w.b = append(w.b, ':')
		names := w.flags[in.Flags]
		if names == nil {
			names = appendStrs(nil, in.Flags.Names())
			w.flags[in.Flags] = names
		}
		w.b = append(w.b, names...)
	}
	w.b = append(w.b, '}')
}

// record writes p's Record; src names its source in "sources".
func (w *recordWriter) record(p *lockfile.Package, src string) {
	w.b = append(w.b, '{')
	w.n = 0
	if !idNamesPackage(p) {
		w.key("name")
		w.b = appendJSON(w.b, p.Name)
		w.key("version")
		w.b = appendJSON(w.b, p.Version)
	}
	if !derivablePname(p.Name) {
		w.str("pname", nixexpr.DrvName(p.Name, "package"))
	}
	if v := nixexpr.DrvName(p.Version, "0"); v != p.Version {
		w.str("drvVersion", v)
	}
	if kind := recordKind(p.Source); kind != lockfile.Tarball {
		w.str("source", kind.String())
	}
	switch {
	case p.Source.Fetchable():
		if src != p.ID {
			w.str("src", src)
		}
		w.str("gitDir", p.Source.Dir)
	case p.Source.Local():
		w.str("path", p.Source.Path)
	}
	if len(p.Installs) > 0 {
		w.installs(p.Installs)
	}
	if len(p.Bins) > 0 {
		writeObject(w, "bins", p.Bins, func(b lockfile.Bin) string { return b.Name }, func(b lockfile.Bin) {
			w.b = appendJSON(w.b, b.Path)
		})
	}
	if len(p.Deps) > 0 {
		w.key("deps")
		w.b = append(w.b, '{')
		outer := w.n
		w.n = 0
		// The kinds there are, found in one pass: most packages have only
		// prod dependencies, and each kind is a pass over the edges.
		var kinds uint32
		for _, ed := range p.Deps {
			kinds |= 1 << (ed.Kind & 31)
		}
		for k := lockfile.DepProd; k <= lockfile.DepPeerOptional; k++ {
			if kinds&(1<<k) != 0 {
				w.depNames(k.String(), p.Deps, k)
			}
		}
		w.n = outer
		w.b = append(w.b, '}')
	}
	w.list("os", p.Platform.OS)
	w.list("cpu", p.Platform.CPU)
	w.list("libc", p.Platform.Libc)
	if node := nodeEngine(p); node != nil {
		w.key("engines")
		w.b = append(w.b, `{"node":[`...)
		for i, alt := range node {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, '[')
			for j, c := range alt {
				if j > 0 {
					w.b = append(w.b, ',')
				}
				// Op is ASCII (<, <=, >, >=, =): escaping the two parts
				// apart escapes their concatenation.
				w.b = append(w.b, '"')
				w.b = appendJSONText(w.b, c.Op)
				w.b = appendJSONText(w.b, c.Version)
				w.b = append(w.b, '"')
			}
			w.b = append(w.b, ']')
		}
		w.b = append(w.b, "]}"...)
	}
	if p.HasInstallScript {
		w.key("hasInstallScript")
		w.b = append(w.b, "true"...)
	}
	w.str("license", p.License)
	w.b = append(w.b, '}')
}

// recordKind is the kind of source a record names: a git host's archive
// of a commit is that commit's git source, unpacked from the archive.
func recordKind(src lockfile.Source) lockfile.SourceKind {
	if src.Repo != "" {
		return lockfile.Git
	}
	return src.Kind
}

// depNames writes field k: the names of es's edges of kind kind, a name
// listed twice in a row (as in a sorted graph) once, as depNamesOf lists
// them.
func (w *recordWriter) depNames(k string, es []lockfile.Edge, kind lockfile.DepKind) {
	last := -1
	for i, ed := range es {
		if ed.Kind != kind || last >= 0 && es[last].Name == ed.Name {
			continue
		}
		if last < 0 {
			w.key(k)
			w.b = append(w.b, '[')
		} else {
			w.b = append(w.b, ',')
		}
		w.b = appendJSON(w.b, ed.Name)
		last = i
	}
	if last >= 0 {
		w.b = append(w.b, ']')
	}
}

// appendJSON appends s as a JSON string, as encoding/json does without
// HTML escaping. s is UTF-8 (checkRecord).
func appendJSON(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONText(b, s)
	return append(b, '"')
}

// jsonEscapes marks the bytes appendJSONText looks at: control
// characters, quote, backslash, and the first byte of U+2028 and U+2029.
var jsonEscapes = [256]bool{0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true,
	10: true, 11: true, 12: true, 13: true, 14: true, 15: true, 16: true, 17: true, 18: true, 19: true, 20: true,
	21: true, 22: true, 23: true, 24: true, 25: true, 26: true, 27: true, 28: true, 29: true, 30: true, 31: true,
	'"': true, '\\': true, 0xe2: true}

// Bytes repeated across a word, for the tests eight bytes at a time.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// word is the eight bytes s starts with, the first lowest.
func word(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// plainJSON returns a length of s's start, a multiple of eight, that
// appendJSONText copies as it is: it reads eight bytes at a time while
// they are ASCII and none is a control character, quote or backslash.
// Names and install paths run to tens of bytes, nearly all plain.
func plainJSON(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := word(s[i:])
		// A byte below 0x20 gets its high bit set in w-0x20...; so does a
		// quote or backslash in (w^c...)-1..., where it is 0; a byte of
		// 0x80 and above has it already. Only those bytes borrow, so a
		// word without one is told right.
		if ((w-0x20*ones)|((w^'"'*ones)-ones)|((w^'\\'*ones)-ones)|w)&highs != 0 {
			break
		}
	}
	return i
}

// appendJSONText appends s escaped as in a JSON string, without quotes.
func appendJSONText(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		// The run up to the next byte to escape is copied whole.
		j := i + plainJSON(s[i:])
		for j < len(s) && !jsonEscapes[s[j]] {
			j++
		}
		b = append(b, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c == 0xe2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xa8:
			// U+2028 and U+2029, which encoding/json escapes.
			b = append(b, '\\', 'u', '2', '0', '2', hex[s[i+2]&0xf])
			i += 2
		default:
			b = append(b, c)
		}
	}
	return b
}

// nodeEngine returns the decoded engines.node of a package installed
// somewhere as optional: npm skips such an install when the running node
// does not satisfy it, and checks no other package's engines. Nil when
// there is nothing to check.
func nodeEngine(p *lockfile.Package) [][]lockfile.Comparison {
	optional := false
	for _, in := range p.Installs {
		optional = optional || in.Flags.Has(lockfile.FlagOptional)
	}
	if !optional {
		return nil
	}
	for _, e := range p.Engines {
		if e.Name == "node" {
			return e.Versions
		}
	}
	return nil
}

// checkRecord rejects strings a record cannot carry: JSON holds only
// UTF-8 text, and Nix strings no NUL byte.
func checkRecord(p *lockfile.Package) error {
	var bad string
	check := func(s string) {
		if bad == "" && !isText(s) {
			bad = s
		}
	}
	check(p.ID)
	check(p.Name)
	check(p.Version)
	check(p.Source.Path)
	check(p.License)
	for _, in := range p.Installs {
		check(in.Path)
	}
	for _, b := range p.Bins {
		check(b.Name)
		check(b.Path)
	}
	for _, d := range p.Deps {
		check(d.Name)
	}
	for _, l := range [][]string{p.Platform.OS, p.Platform.CPU, p.Platform.Libc} {
		for _, s := range l {
			check(s)
		}
	}
	if bad != "" {
		return &nixexpr.Error{Msg: "not UTF-8 text without NUL bytes", Value: bad}
	}
	if d := p.Source.Dir; d != "" {
		return node.CheckGitDir(d, p.Source.Fetchable() && (fetchedAs(p.Source).Kind == lockfile.Git || nixexpr.Unpacked(p.Source)))
	}
	return nil
}

// isText reports whether s is UTF-8 without NUL bytes. A record's
// strings are nearly all short and ASCII: those are told eight bytes at a
// time, without a call for each check, and the first byte that is NUL or
// not ASCII hands the rest to the full checks.
func isText(s string) bool {
	rest := s
	for len(rest) >= 8 {
		// A byte that is 0 borrows, making it 0xff; one of 0x80 and above
		// has its high bit already. Only a 0 borrows, so the bytes after
		// one may be flagged too: the full checks then decide.
		if w := word(rest); (w|(w-ones))&highs != 0 {
			break
		}
		rest = rest[8:]
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c == 0 || c >= utf8.RuneSelf {
			// What came before is ASCII without NUL.
			return utf8.ValidString(rest[i:]) && strings.IndexByte(rest[i:], 0) < 0
		}
	}
	return true
}

// idNamesPackage reports whether p's ID is "name@version" with no "@" in
// the version, the form the builders split back into the two.
func idNamesPackage(p *lockfile.Package) bool {
	n := len(p.Name)
	return n > 0 && len(p.ID) == n+1+len(p.Version) && p.ID[:n] == p.Name && p.ID[n] == '@' && p.ID[n+1:] == p.Version &&
		!strings.Contains(p.Version, "@")
}

// derivablePname reports whether the builders' rule for a pname, "@scope/x"
// → "scope-x", gives nixexpr.DrvName(name): the pname is written out where not.
// It asks what DrvName would do without making its result (a copy for
// every scoped name): DrvName keeps each byte it allows, makes any other
// "-", cuts the name at its limit and drops leading dots, so the rule
// holds where every byte is allowed or a "/", and nothing is cut.
func derivablePname(name string) bool {
	s := strings.TrimPrefix(name, "@")
	if s == "" || s[0] == '/' || s[0] == '.' || len(s) > maxDrvName {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !drvNameByte(c) && c != '/' {
			return false
		}
	}
	return true
}

// maxDrvName and drvNameByte are nixexpr.DrvName's limit and the bytes it
// keeps (FuzzDerivablePname holds them to it).
const maxDrvName = 100

func drvNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '+' || c == '_' || c == '?' || c == '='
}

// depNames lists dependency names by kind: prod = [ "a" "b" ]; ….
func depNames(es []lockfile.Edge) []nixexpr.Binding {
	var groups []nixexpr.Binding
	var names []string
	for k := lockfile.DepProd; k <= lockfile.DepPeerOptional; k++ {
		if names = depNamesOf(names[:0], es, k); len(names) > 0 {
			groups = append(groups, nixexpr.Attr{Path: []string{k.String()}, Value: nixexpr.Strings(names)})
		}
	}
	return groups
}

// depNamesOf appends the names of es's edges of kind k; a name listed
// twice in a row (as in a sorted graph) is written once.
func depNamesOf(names []string, es []lockfile.Edge, k lockfile.DepKind) []string {
	start := len(names)
	for _, ed := range es {
		if ed.Kind == k && (len(names) == start || names[len(names)-1] != ed.Name) {
			names = append(names, ed.Name)
		}
	}
	return names
}

// checkFolderCycles stops on folders beside the project that link each
// other ("../a/node_modules/b" → ../b and "../b/node_modules/a" → ../a):
// the builders make each such folder a store path of its own, holding
// links to the others', which a cycle cannot be.
func checkFolderCycles(g *lockfile.Graph) error {
	outside := func(p string) bool { return p == ".." || strings.HasPrefix(p, "../") }
	folders := map[string]bool{}
	for _, p := range g.Packages {
		if p.Source.Kind == lockfile.Link && outside(p.Source.Path) {
			folders[p.Source.Path] = true
		}
	}
	// links[a] lists the folders a's own node_modules links to.
	links := map[string][]string{}
	for _, p := range g.Packages {
		if p.Source.Kind != lockfile.Link || !folders[p.Source.Path] {
			continue
		}
		for _, in := range p.Installs {
			dir, _, ok := strings.Cut(in.Path, "/node_modules/")
			if ok && folders[dir] {
				links[dir] = append(links[dir], p.Source.Path)
			}
		}
	}
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(f string) error
	visit = func(f string) error {
		state[f] = open
		path = append(path, f)
		for _, to := range links[f] {
			switch state[to] {
			case open:
				i := slices.Index(path, to)
				return fmt.Errorf("the folders beside the project %s link each other in a cycle; lock2nix builds each as a store path of its own, which a cycle cannot be: break the cycle, or make them workspaces of one project",
					strings.Join(append(slices.Clone(path[i:]), to), " → "))
			case unseen:
				if err := visit(to); err != nil {
					return err
				}
			}
		}
		path = path[:len(path)-1]
		state[f] = done
		return nil
	}
	for _, f := range slices.Sorted(maps.Keys(folders)) {
		if state[f] == unseen {
			if err := visit(f); err != nil {
				return err
			}
		}
	}
	return nil
}
