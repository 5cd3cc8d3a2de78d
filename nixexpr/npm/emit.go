// Package npm writes the Nix file for a graph read from a package-lock.json:
// a fetcher per source, one JSON record per package, and the builders
// (builders.nix, layout.js) that lay node_modules out as npm ci does.
package npm

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// Emit writes g as one Nix file: a function in callPackage style whose
// result holds a fixed-output fetcher for every distinct source, the
// package records and the builders. Nothing is written on an error.
func Emit(w io.Writer, g *lockfile.Graph, h nixexpr.Header) error {
	f, err := Build(g, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

// Build returns the syntax tree Emit prints.
func Build(g *lockfile.Graph, h nixexpr.Header) (*nixexpr.File, error) {
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
		name, err := sources.Add(p.ID, p.Source)
		if err != nil {
			return nil, err
		}
		pkgSrc[i] = name
	}
	if err := checkFolderCycles(g); err != nil {
		return nil, err
	}
	formals := append([]nixexpr.Formal{{Name: "stdenv"}, {Name: "fetchurl"}, {Name: "nodejs"}}, sources.Formals()...)
	formals = append(formals, nixexpr.Formal{Name: "src", Default: nixexpr.Null{}})
	if local {
		formals = append(formals, nixexpr.LocalFormals()...)
	}
	formals = append(formals,
		nixexpr.Formal{Name: "overrides", Default: nixexpr.AttrSet{}},
		nixexpr.Formal{Name: "installScripts", Default: nixexpr.Bool{Value: true}},
		// node-gyp's tools, as buildNpmPackage gives them: nodejs.python,
		// else this python3; cctools on Darwin.
		nixexpr.Formal{Name: "python3", Default: nixexpr.Null{}},
		nixexpr.Formal{Name: "cctools", Default: nixexpr.Null{}},
	)
	root := g.Root
	lets := []nixexpr.Binding{nixexpr.Attr{Path: []string{"sources"}, Value: nixexpr.AttrSet{Bindings: sources.Bindings()}}}
	inherits := []string{"stdenv", "nodejs", "python3", "cctools", "src", "overrides", "installScripts", "layoutScript", "sources", "root"}
	if local {
		lets = append(lets, nixexpr.LocalBindings(h.RootUp)...)
		inherits = append(inherits, "local")
	}
	lets = append(lets,
		nixexpr.Attr{
			Path:    []string{"packages"},
			Value:   nixexpr.Apply{Func: nixexpr.Select{Expr: nixexpr.Ident{Name: "builtins"}, Attrs: []string{"fromJSON"}}, Args: []nixexpr.Expr{records(g, pkgSrc)}},
			Comment: recordsComment,
		},
		nixexpr.Attr{Path: []string{"root"}, Value: nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			nixexpr.Attr{Path: []string{"name"}, Value: nixexpr.String{Value: root.Name}},
			nixexpr.Attr{Path: []string{"version"}, Value: nixexpr.String{Value: root.Version}},
			nixexpr.Attr{Path: []string{"pname"}, Value: nixexpr.String{Value: nixexpr.DrvName(root.Name, "project")}},
			nixexpr.Attr{Path: []string{"drvVersion"}, Value: nixexpr.String{Value: nixexpr.DrvName(root.Version, "0")}},
			nixexpr.Attr{Path: []string{"deps"}, Value: nixexpr.AttrSet{Bindings: depNames(root.Deps)}},
			nixexpr.Attr{Path: []string{"workspaces"}, Value: nixexpr.Strings(root.Workspaces)},
		}}},
		nixexpr.Attr{Path: []string{"builders"}, Value: nixexpr.Raw{Text: builders}},
		nixexpr.Attr{Path: []string{"layoutScript"}, Value: nixexpr.Apply{
			Func: nixexpr.Select{Expr: nixexpr.Ident{Name: "builtins"}, Attrs: []string{"toFile"}},
			Args: []nixexpr.Expr{nixexpr.String{Value: "lock2nix-npm.js"}, nixexpr.Verbatim(layoutJS)},
		}},
	)
	body := nixexpr.Let{
		Bindings: lets,
		Body: nixexpr.Apply{Func: nixexpr.Ident{Name: "builders"}, Args: []nixexpr.Expr{nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			nixexpr.Inherit{Names: inherits},
			nixexpr.Attr{Path: []string{"records"}, Value: nixexpr.Ident{Name: "packages"}},
		}}}},
	}
	return nixexpr.Generated(h, formals, body), nil
}

//go:embed builders.nix
var builders string

//go:embed layout.js
var layoutJS string

// recordsComment explains the package records to a reader of the file.
const recordsComment = `The packages, one JSON record a line, read by the builders below. JSON
because Nix reads it only when a node_modules tree is built: evaluating
the sources alone costs no more than reading this text.`

// records returns the package records: a JSON object, one package a line.
// pkgSrc names each package's source in "sources" ("" when not fetched).
func records(g *lockfile.Graph, pkgSrc []string) nixexpr.String {
	var b bytes.Buffer
	// About 300 bytes a package.
	b.Grow(len(g.Packages)*300 + 4)
	b.WriteString("{\n")
	for i, p := range g.Packages {
		b.Write(record(b.AvailableBuffer(), p, pkgSrc[i]))
		if i < len(g.Packages)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return nixexpr.String{Value: b.String()}
}

// record appends p's line: "id": {…}. What the builders can derive is
// left out, since every byte here is read on each build: the name and
// version come from the ID "name@version", pname from the name, the source
// kind defaults to "tarball" and src to the source named after the
// package. Only dependency names are kept; the builders resolve names, not
// ranges.
func record(b []byte, p *lockfile.Package, src string) []byte {
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
		str("pname", nixexpr.DrvName(p.Name, "package"))
	}
	if v := nixexpr.DrvName(p.Version, "0"); v != p.Version {
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
	case p.Source.Local():
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
		return &nixexpr.Error{Msg: "not UTF-8 text without NUL bytes", Value: bad}
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
// → "scope-x", gives nixexpr.DrvName(name): the pname is written out where not.
func derivablePname(name string) bool {
	s := strings.TrimPrefix(name, "@")
	return s != "" && s[0] != '/' && nixexpr.DrvName(name, "") == strings.ReplaceAll(s, "/", "-")
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
