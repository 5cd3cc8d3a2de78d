// Package yarn writes the Nix for a yarn.lock: by default a data file
// (the schema, a fetcher description per source, one JSON record per
// package, the root) that lock2nix's builders read (entry.nix,
// builders.nix, server.js, git.sh, run yarn itself, offline, over the
// fetched packages); with --standalone, one file that holds them too.
package yarn

import (
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/node"
	"github.com/lock2nix/lock2nix/yarnlock"
)

// Schema is the newest version of the data file's layout, which Emit
// writes for a lock with a GitHub archive (a source fetched unpacked,
// { url; hash; unpack; }, which schema 1's builders do not fetch); any
// other lock is written in schema 1, the same bytes as before. entry.nix
// lists the schemas the builders read.
const Schema = 2

// Emit writes l as a data file for lock2nix's builders. Nothing is
// written on an error.
func Emit(w io.Writer, l *yarnlock.Lock, h nixexpr.Header) error {
	f, err := Build(l, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

// EmitStandalone writes l as one file in callPackage style that holds the
// data and lock2nix's builders.
func EmitStandalone(w io.Writer, l *yarnlock.Lock, h nixexpr.Header) error {
	f, err := BuildStandalone(l, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

//go:embed builders.nix
var builders string

//go:embed entry.nix
var entry string

//go:embed server.js
var serverJS string

//go:embed git.sh
var gitSH string

// record is what the builders read of one package.
type record struct {
	// Src names the package's fetcher in sources when it is not the
	// package's own ID.
	Src string `json:"src,omitempty"`
	// Mirror is the file name yarn 1's offline mirror gives the source.
	Mirror string `json:"mirror,omitempty"`
	// Path is where berry asks the registry for the tarball.
	Path string `json:"path,omitempty"`
	// Commit is a berry git dependency's commit: yarn clones and checks
	// it out in the build, which the build's git (git.sh) answers from
	// the fetched source.
	Commit string `json:"commit,omitempty"`
	// OS, CPU and Libc are berry's conditions: the build serves the
	// package only on a matching system, as yarn fetches it only there.
	OS   []string `json:"os,omitempty"`
	CPU  []string `json:"cpu,omitempty"`
	Libc []string `json:"libc,omitempty"`
}

// Build returns the syntax tree Emit prints.
func Build(l *yarnlock.Lock, h nixexpr.Header) (*nixexpr.File, error) {
	bs, err := dataBindings(l, h)
	if err != nil {
		return nil, err
	}
	return nixexpr.Data(h, "yarn", schemaOf(l), bs), nil
}

// schemaOf is the schema a data file of l is written in: the oldest that
// holds what it needs.
func schemaOf(l *yarnlock.Lock) int {
	for _, p := range l.Graph.Packages {
		if nixexpr.Unpacked(p.Source) {
			return Schema
		}
	}
	return 1
}

// BuildStandalone returns the syntax tree EmitStandalone prints: the
// entry's arguments, and a body that calls entry.nix with the data and
// lock2nix's parts written out.
func BuildStandalone(l *yarnlock.Lock, h nixexpr.Header) (*nixexpr.File, error) {
	bs, err := dataBindings(l, h)
	if err != nil {
		return nil, err
	}
	yarnArg := "yarn"
	if l.Format == yarnlock.Berry {
		yarnArg = "yarn-berry"
	}
	formals := []nixexpr.Formal{{Name: yarnArg}}
	if schemaOf(l) == Schema {
		formals = append(formals, nixexpr.Formal{Name: "fetchzip"}) // for the GitHub archives
	}
	return node.Standalone(h, node.Format{
		Name: "yarn", Schema: schemaOf(l), Builders: builders, Entry: entry,
		Formals: formals,
		Texts:   []node.Text{{Name: "yarnServer", Text: serverJS}, {Name: "yarnGit", Text: gitSH}},
	}, bs), nil
}

// dataBindings returns the data file's bindings after format and schema:
// the lock's format, the sources, the package records, the root, and the
// project's files yarn reads in the build with the command that
// regenerates the file.
func dataBindings(l *yarnlock.Lock, h nixexpr.Header) ([]nixexpr.Binding, error) {
	g := l.Graph
	sources := nixexpr.NewSources(len(g.Packages))
	recs := map[string]record{}
	for _, p := range g.Packages {
		if !utf8.ValidString(p.ID) || strings.IndexByte(p.ID, 0) >= 0 {
			return nil, &nixexpr.Error{Msg: "not UTF-8 text without NUL bytes", Value: p.ID}
		}
		if !p.Source.Fetchable() {
			continue
		}
		src := p.Source
		if src.Kind == lockfile.Tarball && src.Repo != "" && src.Hash.IsZero() {
			// A GitHub archive that no pin hashes (lock2nix
			// --allow-unpinned): fetchGit at the locked commit.
			src = src.AsGit()
		}
		name, err := sources.Add(p.ID, src)
		if err != nil {
			return nil, err
		}
		r := record{Mirror: l.Mirror[p.ID], Path: l.RegistryPaths[p.ID]}
		if l.Format == yarnlock.Berry {
			r.OS, r.CPU, r.Libc = p.Platform.OS, p.Platform.CPU, p.Platform.Libc
			if src.Kind == lockfile.Git || nixexpr.Unpacked(src) {
				r.Commit = src.Rev
			}
		}
		if name != p.ID {
			r.Src = name
		}
		recs[p.ID] = r
	}
	data, err := marshalLines(g, recs)
	if err != nil {
		return nil, err
	}
	root := g.Root
	str := func(s string) nixexpr.Expr { return nixexpr.String{Value: s} }
	attr := func(k string, v nixexpr.Expr) nixexpr.Binding { return nixexpr.Attr{Path: []string{k}, Value: v} }
	return []nixexpr.Binding{
		nixexpr.Attr{Path: []string{"lockFormat"}, Value: str(l.Format.String()),
			Comment: "yarn 1's lockfile (classic, built with nixpkgs' yarn) or berry's (yarn-berry)."},
		attr("sources", sources.Data()),
		nixexpr.Attr{
			Path:    []string{"packages"},
			Value:   nixexpr.String{Value: data},
			Comment: "The packages that are fetched, one JSON record a line: the source (src,\nwhen not the package's own), and the name yarn looks the tarball up by:\nthe offline mirror's file (classic) or the registry's path (berry);\nberry's conditions (os, cpu, libc) and git commits.",
		},
		attr("root", nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			attr("name", str(root.Name)),
			attr("version", str(root.Version)),
			attr("pname", str(nixexpr.DrvName(root.Name, "project"))),
			attr("drvVersion", str(nixexpr.DrvName(root.Version, "0"))),
			attr("workspaces", nixexpr.Strings(root.Workspaces)),
		}}),
		nixexpr.Attr{
			Path:    []string{"projectFiles"},
			Value:   projectFiles(l.ProjectFiles),
			Comment: "The project's files yarn reads in the build, as lock2nix read them: the\nsha256 of each (null: absent). The builders refuse a src whose files\ndiffer, for yarn would install what lock2nix did not check.",
		},
		nixexpr.Attr{Path: []string{"regenerate"}, Value: str(h.Command),
			Comment: "The command, run in the project, that writes this file again."},
	}, nil
}

// projectFiles returns the data of files: path = "<sha256 in hex>", or
// null for an absent file.
func projectFiles(files []yarnlock.ProjectFile) nixexpr.AttrSet {
	bs := make([]nixexpr.Binding, len(files))
	for i, f := range files {
		var v nixexpr.Expr = nixexpr.Null{}
		if f.SHA256 != nil {
			v = nixexpr.String{Value: hex.EncodeToString(f.SHA256)}
		}
		bs[i] = nixexpr.Attr{Path: []string{f.Path}, Value: v}
	}
	return nixexpr.AttrSet{Bindings: bs}
}

// marshalLines writes the records as one JSON object, a package a line,
// in the graph's order.
func marshalLines(g *lockfile.Graph, recs map[string]record) (string, error) {
	var b strings.Builder
	b.WriteString("{\n")
	first := true
	for _, p := range g.Packages {
		r, ok := recs[p.ID]
		if !ok {
			continue
		}
		if !first {
			b.WriteString(",\n")
		}
		first = false
		k, err := json.Marshal(p.ID)
		if err != nil {
			return "", err
		}
		v, err := json.Marshal(r)
		if err != nil {
			return "", err
		}
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
	}
	b.WriteString("\n}\n")
	return b.String(), nil
}
