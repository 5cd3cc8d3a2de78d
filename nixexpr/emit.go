package nixexpr

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/lock2nix/lock2nix/lockfile"
)

// EmitOptions describe the file Emit writes.
type EmitOptions struct {
	// Generator names the tool and version, for the header comment.
	Generator string
	// Input names the lockfile the graph was read from, for the header.
	Input string
	// Command regenerates the file, for the header.
	Command string
}

// Emit writes g as one Nix file: a function in callPackage style whose
// result holds a fixed-output fetcher for every distinct source and the
// package data builders need. Sources become syntax and packages JSON
// record lines one at a time, and the text reaches w in pieces as it is
// printed (all at once when w is a *bytes.Buffer).
func Emit(w io.Writer, g *lockfile.Graph, opts EmitOptions) error {
	f, err := build(g, opts, true)
	if err != nil {
		return err
	}
	if b, ok := w.(*bytes.Buffer); ok {
		// About 350 bytes a package, plus the builders.
		b.Grow(len(g.Packages)*350 + 64<<10)
	}
	return Print(w, f)
}

// Build returns the syntax tree Emit prints.
func Build(g *lockfile.Graph, opts EmitOptions) (*File, error) {
	return build(g, opts, false)
}

func build(g *lockfile.Graph, opts EmitOptions, stream bool) (*File, error) {
	e := &emitter{g: g, srcName: make(map[srcKey]string, len(g.Packages)), stream: stream}
	if g.Ecosystem == "dune" {
		return e.duneFile(opts)
	}
	return e.file(opts)
}

type emitter struct {
	g *lockfile.Graph
	// srcName maps a source key to its attribute in "sources": the ID of
	// the first package that uses it.
	srcName                        map[srcKey]string
	needGit, needUnpinned, needSrc bool
	// pkgSrc is, for each package, the name of its source in "sources"
	// ("" when it is not fetched).
	pkgSrc []string
	// stream makes the long sets bindingSeqs instead of slices.
	stream bool
}

// each returns the bindings gen yields: as a bindingSeq when streaming,
// else collected, with the first error gen meets. (Streamed, gen has no
// error to give: file hands it only what its pre-pass has vetted.)
func (e *emitter) each(gen func(yield func(Binding)) error) ([]Binding, error) {
	if e.stream {
		return []Binding{bindingSeq(func(yield func(Binding)) { gen(yield) })}, nil
	}
	var bs []Binding
	err := gen(func(b Binding) { bs = append(bs, b) })
	return bs, err
}

func (e *emitter) file(opts EmitOptions) (*File, error) {
	// Name the sources and learn which fetchers the file needs before any
	// of it is printed; errors surface here, not halfway through.
	e.pkgSrc = make([]string, len(e.g.Packages))
	for i, p := range e.g.Packages {
		if err := checkRecord(p); err != nil {
			return nil, err
		}
		if !p.Source.Fetchable() {
			continue
		}
		key := keyOf(p.Source)
		name, ok := e.srcName[key]
		if !ok {
			name = p.ID
			e.srcName[key] = name
			e.noteFetcher(p.Source)
		}
		e.pkgSrc[i] = name
	}
	sources, err := e.each(func(yield func(Binding)) error {
		for i, p := range e.g.Packages {
			if e.pkgSrc[i] != p.ID {
				continue // not fetched, or fetched under another's name
			}
			fetch, err := e.fetcher(p)
			if err != nil {
				return err
			}
			yield(Attr{Path: []string{p.ID}, Value: fetch})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	records := e.records()
	formals := append([]Formal{{Name: "stdenv"}, {Name: "fetchurl"}, {Name: "nodejs"}}, e.fetcherFormals()...)
	formals = append(formals,
		Formal{Name: "src", Default: Null{}},
		Formal{Name: "overrides", Default: AttrSet{}},
		Formal{Name: "installScripts", Default: Bool{true}},
	)
	lets := []Binding{Attr{Path: []string{"sources"}, Value: AttrSet{Bindings: sources}}}
	lets = append(lets,
		Attr{
			Path:    []string{"packages"},
			Value:   Apply{Func: Select{Expr: Ident{"builtins"}, Attrs: []string{"fromJSON"}}, Args: []Expr{records}},
			Comment: recordsComment,
		},
		Attr{Path: []string{"root"}, Value: AttrSet{Bindings: []Binding{
			Attr{Path: []string{"name"}, Value: String{e.g.Root.Name}},
			Attr{Path: []string{"version"}, Value: String{e.g.Root.Version}},
			Attr{Path: []string{"pname"}, Value: String{DrvName(e.g.Root.Name, "project")}},
			Attr{Path: []string{"drvVersion"}, Value: String{DrvName(e.g.Root.Version, "0")}},
			Attr{Path: []string{"deps"}, Value: AttrSet{Bindings: depNames(e.g.Root.Deps)}},
			Attr{Path: []string{"workspaces"}, Value: strList(e.g.Root.Workspaces)},
		}}},
		Attr{Path: []string{"builders"}, Value: Raw{Text: npmBuilders}},
		Attr{Path: []string{"layoutScript"}, Value: Apply{
			Func: Select{Expr: Ident{"builtins"}, Attrs: []string{"toFile"}},
			Args: []Expr{String{"lock2nix-npm.js"}, Raw{Text: indented(npmLayoutJS)}},
		}},
	)
	body := Let{
		Bindings: lets,
		Body: Apply{Func: Ident{"builders"}, Args: []Expr{AttrSet{Bindings: []Binding{
			Inherit{Names: []string{"stdenv", "nodejs", "src", "overrides", "installScripts", "layoutScript", "sources", "root"}},
			Attr{Path: []string{"records"}, Value: Ident{"packages"}},
		}}}},
	}
	return generated(opts, formals, body), nil
}

// generated wraps a body in the callPackage-style function and the header
// every generated file has.
func generated(opts EmitOptions, formals []Formal, body Expr) *File {
	return &File{
		Comments: []string{
			fmt.Sprintf("Generated by %s from %s. Do not edit.", opts.Generator, opts.Input),
			"Regenerate with: " + opts.Command,
		},
		Body: Func{Formals: formals, Ellipsis: true, Body: body},
	}
}

// nameAttrs are a package's name and version, with the derivation-safe
// forms only where those differ (store paths allow fewer characters).
func nameAttrs(p *lockfile.Package) []Binding {
	bs := []Binding{
		Attr{Path: []string{"name"}, Value: String{p.Name}},
		Attr{Path: []string{"version"}, Value: String{p.Version}},
	}
	if n := DrvName(p.Name, "package"); n != p.Name {
		bs = append(bs, Attr{Path: []string{"pname"}, Value: String{n}})
	}
	if v := DrvName(p.Version, "0"); v != p.Version {
		bs = append(bs, Attr{Path: []string{"drvVersion"}, Value: String{v}})
	}
	return bs
}

// fetcherFormals are the defaulted fetcher arguments a file needs.
func (e *emitter) fetcherFormals() []Formal {
	var fs []Formal
	if e.needGit {
		fs = append(fs, Formal{Name: "fetchGit", Default: Select{Expr: Ident{"builtins"}, Attrs: []string{"fetchGit"}}})
	}
	if e.needUnpinned {
		fs = append(fs, Formal{Name: "fetchurlUnpinned", Default: Select{Expr: Ident{"builtins"}, Attrs: []string{"fetchurl"}}})
	}
	return fs
}

// localFn resolves a project-relative path against the user's src.
const localFn = `path:
if src == null then
  throw "lock2nix: this lockfile has local dependencies (${path}); pass src, the project folder"
else
  src + "/${path}"`

// srcKey is Source.Key as a comparable value, so that looking a source up
// builds no string.
type srcKey struct {
	kind           lockfile.SourceKind
	url, rev, path string
}

func keyOf(s lockfile.Source) srcKey {
	switch s.Kind {
	case lockfile.Tarball:
		return srcKey{kind: s.Kind, url: s.URL}
	case lockfile.Git:
		return srcKey{kind: s.Kind, url: s.URL, rev: s.Rev}
	case lockfile.Directory, lockfile.LocalTarball, lockfile.Link:
		return srcKey{kind: s.Kind, path: s.Path}
	}
	return srcKey{kind: s.Kind}
}

func isLocal(k lockfile.SourceKind) bool {
	return k == lockfile.Directory || k == lockfile.LocalTarball || k == lockfile.Link
}

// noteFetcher records which fetcher s needs beyond fetchurl.
func (e *emitter) noteFetcher(s lockfile.Source) {
	switch {
	case s.Kind == lockfile.Tarball && s.Hash.IsZero():
		e.needUnpinned = true
	case s.Kind == lockfile.Git:
		e.needGit = true
	}
}

func (e *emitter) fetcher(p *lockfile.Package) (Expr, error) {
	s := p.Source
	switch s.Kind {
	case lockfile.Tarball:
		if s.Hash.IsZero() {
			e.needUnpinned = true
			return Apply{Func: Ident{"fetchurlUnpinned"}, Args: []Expr{String{s.URL}}}, nil
		}
		bs := []Binding{Attr{Path: []string{"url"}, Value: String{s.URL}}}
		// fetchurl names the store path after the URL's last segment; a
		// query string or odd characters there would make it invalid.
		if name, ok := storeName(s.URL); !ok {
			bs = append(bs, Attr{Path: []string{"name"}, Value: String{name}})
		}
		bs = append(bs, Attr{Path: []string{"hash"}, Value: String{s.Hash.String()}})
		return Apply{Func: Ident{"fetchurl"}, Args: []Expr{AttrSet{Bindings: bs}}}, nil
	case lockfile.Git:
		e.needGit = true
		return Apply{Func: Ident{"fetchGit"}, Args: []Expr{AttrSet{Bindings: []Binding{
			Attr{Path: []string{"url"}, Value: String{s.URL}},
			Attr{Path: []string{"rev"}, Value: String{s.Rev}},
			// The commit may sit on any branch or tag.
			Attr{Path: []string{"allRefs"}, Value: Bool{true}},
		}}}}, nil
	}
	return nil, fmt.Errorf("nixexpr: %s: cannot fetch a %s source", p.ID, s.Kind)
}

// recordsComment explains the package records to a reader of the file.
const recordsComment = `The packages, one JSON record a line, read by the builders below. JSON
because Nix reads it only when a node_modules tree is built: evaluating
the sources alone costs no more than reading this text.`

// records returns the package records: a JSON object, one package a line.
func (e *emitter) records() Expr {
	gen := func(yield func([]byte)) {
		yield([]byte("{"))
		var line []byte
		for i, p := range e.g.Packages {
			line = e.record(line[:0], p, e.pkgSrc[i])
			if i < len(e.g.Packages)-1 {
				line = append(line, ',')
			}
			yield(line)
		}
		yield([]byte("}"))
	}
	if e.stream {
		return indentedLines(gen)
	}
	var b strings.Builder
	gen(func(l []byte) {
		b.Write(l)
		b.WriteByte('\n')
	})
	return String{b.String()}
}

// record appends p's line: "id": {…}. What the builders can derive is
// left out, since every byte here is read on each build: the name and
// version come from the ID "name@version", pname from the name, the source
// kind defaults to "tarball" and src to the source named after the
// package. Only dependency names are kept; the builders resolve names, not
// ranges.
func (e *emitter) record(b []byte, p *lockfile.Package, src string) []byte {
	b = appendJSON(b, p.ID)
	b = append(b, ": {"...)
	n := 0
	field := func(name string) {
		if n > 0 {
			b = append(b, ", "...)
		}
		n++
		b = appendJSON(b, name)
		b = append(b, ": "...)
	}
	str := func(name, v string) {
		field(name)
		b = appendJSON(b, v)
	}
	// seq appends n items, comma-separated, between open and close.
	seq := func(open, close byte, n int, item func(i int)) {
		b = append(b, open)
		for i := range n {
			if i > 0 {
				b = append(b, ", "...)
			}
			item(i)
		}
		b = append(b, close)
	}
	strs := func(vs []string) { seq('[', ']', len(vs), func(i int) { b = appendJSON(b, vs[i]) }) }
	key := func(k string) {
		b = appendJSON(b, k)
		b = append(b, ": "...)
	}
	if !idNamesPackage(p) {
		str("name", p.Name)
		str("version", p.Version)
	}
	if !derivablePname(p.Name) {
		str("pname", DrvName(p.Name, "package"))
	}
	if v := DrvName(p.Version, "0"); v != p.Version {
		str("drvVersion", v)
	}
	if p.Source.Kind != lockfile.Tarball {
		str("source", p.Source.Kind.String())
	}
	switch {
	case p.Source.Fetchable():
		if src != p.ID {
			str("src", src)
		}
	case isLocal(p.Source.Kind):
		str("path", p.Source.Path)
	}
	if len(p.Installs) > 0 {
		field("installs")
		seq('{', '}', len(p.Installs), func(i int) {
			key(p.Installs[i].Path)
			strs(p.Installs[i].Flags.Names())
		})
	}
	if len(p.Bins) > 0 {
		field("bins")
		seq('{', '}', len(p.Bins), func(i int) {
			key(p.Bins[i].Name)
			b = appendJSON(b, p.Bins[i].Path)
		})
	}
	if len(p.Deps) > 0 {
		var kinds []lockfile.DepKind
		var names [][]string
		for k := lockfile.DepProd; k <= lockfile.DepPeerOptional; k++ {
			if ns := depNamesOf(nil, p.Deps, k); len(ns) > 0 {
				kinds, names = append(kinds, k), append(names, ns)
			}
		}
		field("deps")
		seq('{', '}', len(kinds), func(i int) {
			key(kinds[i].String())
			strs(names[i])
		})
	}
	for _, pl := range []struct {
		name string
		list []string
	}{{"os", p.Platform.OS}, {"cpu", p.Platform.CPU}, {"libc", p.Platform.Libc}} {
		if len(pl.list) > 0 {
			field(pl.name)
			strs(pl.list)
		}
	}
	if node := nodeEngine(p); node != nil {
		field("engines")
		b = append(b, '{')
		key("node")
		seq('[', ']', len(node), func(i int) {
			seq('[', ']', len(node[i]), func(j int) { b = appendJSON(b, node[i][j].Op+node[i][j].Version) })
		})
		b = append(b, '}')
	}
	if p.HasInstallScript {
		field("hasInstallScript")
		b = append(b, "true"...)
	}
	if p.License != "" {
		str("license", p.License)
	}
	return append(b, '}')
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
		if bad == "" && (!utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0) {
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
		return &Error{"not UTF-8 text without NUL bytes", bad}
	}
	return nil
}

// appendJSON appends s as a JSON string. s is UTF-8 (checkRecord); only
// quotes, backslashes and control characters are escaped.
func appendJSON(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// idNamesPackage reports whether p's ID is "name@version" with no "@" in
// the version, the form the builders split back into the two.
func idNamesPackage(p *lockfile.Package) bool {
	return p.Name != "" && p.ID == p.Name+"@"+p.Version && !strings.Contains(p.Version, "@")
}

// derivablePname reports whether the builders' rule for a pname, "@scope/x"
// → "scope-x", gives DrvName(name): the pname is written out where not.
func derivablePname(name string) bool {
	s := strings.TrimPrefix(name, "@")
	if s == "" || len(s) > maxDrvName || s[0] == '.' || s[0] == '/' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '/' && !drvNameByte(c) {
			return false
		}
	}
	return true
}

// depNames lists dependency names by kind: prod = [ "a" "b" ]; ….
func depNames(es []lockfile.Edge) []Binding {
	var groups []Binding
	var names []string
	for k := lockfile.DepProd; k <= lockfile.DepPeerOptional; k++ {
		if names = depNamesOf(names[:0], es, k); len(names) > 0 {
			groups = append(groups, Attr{Path: []string{k.String()}, Value: strList(names)})
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

func strList(ss []string) Expr {
	items := make([]Expr, len(ss))
	for i, s := range ss {
		items[i] = String{s}
	}
	return List{Items: items}
}

//go:embed builders/npm.nix
var npmBuilders string

//go:embed builders/npm-layout.js
var npmLayoutJS string

// indented writes text as a Nix indented string; the text is lock2nix's
// own, but two single quotes and ${ are escaped all the same.
func indented(text string) string {
	r := strings.NewReplacer("''", "'''", "${", "''${")
	return "''\n" + r.Replace(text) + "''"
}

// DrvName maps s to a string Nix accepts in a derivation name: only
// a-zA-Z0-9+-._?= survive, "@scope/name" becomes "scope-name", a leading
// dot is dropped, and the result stays short. An empty result becomes def.
func DrvName(s, def string) string {
	s = strings.TrimPrefix(s, "@")
	if s != "" && len(s) <= maxDrvName && s[0] != '.' {
		ok := true
		for i := 0; i < len(s) && ok; i++ {
			ok = drvNameByte(s[i])
		}
		if ok {
			return s // the common case, without copying
		}
	}
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < maxDrvName; i++ {
		if c := s[i]; drvNameByte(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.TrimLeft(b.String(), ".")
	if out == "" {
		return def
	}
	return out
}

// maxDrvName bounds the names DrvName makes.
const maxDrvName = 100

// drvNameByte reports whether c may stand in a store path name.
func drvNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+-._?=", c) >= 0
}

// storeName returns a valid store name for what url fetches, and whether
// Nix's default, the text after the last "/", is already that name.
func storeName(url string) (string, bool) {
	base := url[strings.LastIndexByte(url, '/')+1:]
	clean := base
	if i := strings.IndexAny(clean, "?#"); i >= 0 {
		clean = clean[:i]
	}
	name := DrvName(clean, "source")
	return name, name == base
}
