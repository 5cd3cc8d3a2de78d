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

// Schema is the version of the data file's layout that Emit writes.
// entry.nix lists the schemas the builders read; a change to what a data
// file holds or means takes a new one.
const Schema = 1

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
	return nixexpr.Data(h, "npm", Schema, d), nil
}

// BuildStandalone returns the syntax tree EmitStandalone prints: the
// entry's arguments, and a body that calls entry.nix with the data and
// lock2nix's parts written out.
func BuildStandalone(g *lockfile.Graph, h nixexpr.Header) (*nixexpr.File, error) {
	d, err := data(g, h)
	if err != nil {
		return nil, err
	}
	return node.Standalone(h, node.Format{Name: "npm", Schema: Schema, Builders: builders, Layout: layoutJS, Entry: entry}, d), nil
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
		name, err := sources.Add(p.ID, p.Source)
		if err != nil {
			return nil, err
		}
		pkgSrc[i] = name
	}
	if err := checkFolderCycles(g); err != nil {
		return nil, err
	}
	recs, err := records(g, pkgSrc)
	if err != nil {
		return nil, err
	}
	root := g.Root
	bs := []nixexpr.Binding{
		nixexpr.Attr{Path: []string{"sources"}, Value: nixexpr.AttrSet{Bindings: sources.Data()}},
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
	Source string `json:"source,omitempty"`
	Src    string `json:"src,omitempty"`
	Path   string `json:"path,omitempty"`
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

// records returns the package records: a JSON object, one package a line.
// pkgSrc names each package's source in "sources" ("" when not fetched).
func records(g *lockfile.Graph, pkgSrc []string) (nixexpr.String, error) {
	// About 300 bytes a package.
	b := make([]byte, 0, len(g.Packages)*300+4)
	b = append(b, "{\n"...)
	for i, p := range g.Packages {
		b = appendJSON(b, p.ID)
		b = append(b, ": "...)
		b = record(p, pkgSrc[i]).appendJSON(b)
		if i < len(g.Packages)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	b = append(b, "}\n"...)
	return nixexpr.String{Value: string(b)}, nil
}

// appendJSON appends r as encoding/json marshals it (TestRecordJSON
// checks that), without its reflection: every byte of the records is
// written on each run.
func (r *Record) appendJSON(b []byte) []byte {
	b = append(b, '{')
	n := 0
	key := func(k string) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendJSON(b, k)
		b = append(b, ':')
	}
	str := func(k, v string) {
		if v != "" {
			key(k)
			b = appendJSON(b, v)
		}
	}
	strs := func(vs []string) {
		b = append(b, '[')
		for i, v := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, v)
		}
		b = append(b, ']')
	}
	list := func(k string, vs []string) {
		if len(vs) > 0 {
			key(k)
			strs(vs)
		}
	}
	if r.Name != nil {
		key("name")
		b = appendJSON(b, *r.Name)
	}
	if r.Version != nil {
		key("version")
		b = appendJSON(b, *r.Version)
	}
	str("pname", r.Pname)
	str("drvVersion", r.DrvVersion)
	str("source", r.Source)
	str("src", r.Src)
	str("path", r.Path)
	if len(r.Installs) > 0 {
		key("installs")
		b = append(b, '{')
		for i, path := range slices.Sorted(maps.Keys(r.Installs)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, path)
			b = append(b, ':')
			if r.Installs[path] == nil {
				b = append(b, "null"...)
			} else {
				strs(r.Installs[path])
			}
		}
		b = append(b, '}')
	}
	if len(r.Bins) > 0 {
		key("bins")
		b = append(b, '{')
		for i, name := range slices.Sorted(maps.Keys(r.Bins)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, name)
			b = append(b, ':')
			b = appendJSON(b, r.Bins[name])
		}
		b = append(b, '}')
	}
	if r.Deps != nil {
		key("deps")
		b = append(b, '{')
		outer := n
		n = 0
		list("prod", r.Deps.Prod)
		list("dev", r.Deps.Dev)
		list("optional", r.Deps.Optional)
		list("peer", r.Deps.Peer)
		list("peerOptional", r.Deps.PeerOptional)
		n = outer
		b = append(b, '}')
	}
	list("os", r.OS)
	list("cpu", r.CPU)
	list("libc", r.Libc)
	if r.Engines != nil {
		key("engines")
		b = append(b, `{"node":`...)
		if r.Engines.Node == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, alt := range r.Engines.Node {
				if i > 0 {
					b = append(b, ',')
				}
				if alt == nil {
					b = append(b, "null"...)
				} else {
					strs(alt)
				}
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	if r.HasInstallScript {
		key("hasInstallScript")
		b = append(b, "true"...)
	}
	str("license", r.License)
	return append(b, '}')
}

// appendJSON appends s as a JSON string, as encoding/json does without
// HTML escaping. s is UTF-8 (checkRecord).
func appendJSON(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
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
	return append(b, '"')
}

// record returns p's record; src names its source in "sources".
func record(p *lockfile.Package, src string) *Record {
	r := &Record{OS: p.Platform.OS, CPU: p.Platform.CPU, Libc: p.Platform.Libc, HasInstallScript: p.HasInstallScript, License: p.License}
	if !idNamesPackage(p) {
		r.Name, r.Version = &p.Name, &p.Version
	}
	if !derivablePname(p.Name) {
		r.Pname = nixexpr.DrvName(p.Name, "package")
	}
	if v := nixexpr.DrvName(p.Version, "0"); v != p.Version {
		r.DrvVersion = v
	}
	if p.Source.Kind != lockfile.Tarball {
		r.Source = p.Source.Kind.String()
	}
	switch {
	case p.Source.Fetchable():
		if src != p.ID {
			r.Src = src
		}
	case p.Source.Local():
		r.Path = p.Source.Path
	}
	if len(p.Installs) > 0 {
		r.Installs = make(map[string][]string, len(p.Installs))
		for _, in := range p.Installs {
			r.Installs[in.Path] = append([]string{}, in.Flags.Names()...)
		}
	}
	if len(p.Bins) > 0 {
		r.Bins = make(map[string]string, len(p.Bins))
		for _, b := range p.Bins {
			r.Bins[b.Name] = b.Path
		}
	}
	if len(p.Deps) > 0 {
		r.Deps = &Deps{
			Prod:         depNamesOf(nil, p.Deps, lockfile.DepProd),
			Dev:          depNamesOf(nil, p.Deps, lockfile.DepDev),
			Optional:     depNamesOf(nil, p.Deps, lockfile.DepOptional),
			Peer:         depNamesOf(nil, p.Deps, lockfile.DepPeer),
			PeerOptional: depNamesOf(nil, p.Deps, lockfile.DepPeerOptional),
		}
	}
	if node := nodeEngine(p); node != nil {
		r.Engines = &Engines{Node: make([][]string, len(node))}
		for i, alt := range node {
			r.Engines.Node[i] = []string{}
			for _, c := range alt {
				r.Engines.Node[i] = append(r.Engines.Node[i], c.Op+c.Version)
			}
		}
	}
	return r
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
