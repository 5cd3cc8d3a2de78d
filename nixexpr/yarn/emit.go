// Package yarn writes the Nix file for a yarn.lock: a fetcher per source,
// one JSON record per package, and the builders (builders.nix, server.js)
// that run yarn itself, offline, over the fetched packages.
package yarn

import (
	_ "embed"
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/yarnlock"
)

// Emit writes l as one Nix file. Nothing is written on an error.
func Emit(w io.Writer, l *yarnlock.Lock, h nixexpr.Header) error {
	f, err := Build(l, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

//go:embed builders.nix
var builders string

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
		name, err := sources.Add(p.ID, p.Source)
		if err != nil {
			return nil, err
		}
		r := record{Mirror: l.Mirror[p.ID], Path: l.RegistryPaths[p.ID]}
		if l.Format == yarnlock.Berry {
			r.OS, r.CPU, r.Libc = p.Platform.OS, p.Platform.CPU, p.Platform.Libc
			if p.Source.Kind == lockfile.Git {
				r.Commit = p.Source.Rev
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
	yarnArg := "yarn"
	if l.Format == yarnlock.Berry {
		yarnArg = "yarn-berry"
	}
	formals := append([]nixexpr.Formal{{Name: "stdenv"}, {Name: "fetchurl"}, {Name: "nodejs"}, {Name: yarnArg}}, sources.Formals()...)
	formals = append(formals,
		nixexpr.Formal{Name: "src", Default: nixexpr.Null{}},
		nixexpr.Formal{Name: "overrides", Default: nixexpr.AttrSet{}},
		nixexpr.Formal{Name: "installScripts", Default: nixexpr.Bool{Value: true}},
	)
	root := g.Root
	str := func(s string) nixexpr.Expr { return nixexpr.String{Value: s} }
	attr := func(k string, v nixexpr.Expr) nixexpr.Binding { return nixexpr.Attr{Path: []string{k}, Value: v} }
	lets := []nixexpr.Binding{
		attr("sources", nixexpr.AttrSet{Bindings: sources.Bindings()}),
		nixexpr.Attr{
			Path:    []string{"packages"},
			Value:   nixexpr.Apply{Func: nixexpr.Select{Expr: nixexpr.Ident{Name: "builtins"}, Attrs: []string{"fromJSON"}}, Args: []nixexpr.Expr{nixexpr.String{Value: data}}},
			Comment: "The packages that are fetched, one JSON record a line: the fetcher (src, when\nnot the package's own), and the name yarn looks the tarball up by: the\noffline mirror's file (classic) or the registry's path (berry).",
		},
		attr("root", nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			attr("name", str(root.Name)),
			attr("version", str(root.Version)),
			attr("pname", str(nixexpr.DrvName(root.Name, "project"))),
			attr("drvVersion", str(nixexpr.DrvName(root.Version, "0"))),
			attr("workspaces", nixexpr.Strings(root.Workspaces)),
		}}),
		attr("builders", nixexpr.Raw{Text: builders}),
		attr("serverScript", nixexpr.Apply{
			Func: nixexpr.Select{Expr: nixexpr.Ident{Name: "builtins"}, Attrs: []string{"toFile"}},
			Args: []nixexpr.Expr{str("lock2nix-yarn-registry.js"), nixexpr.Verbatim(serverJS)},
		}),
		attr("gitScript", nixexpr.Apply{
			Func: nixexpr.Select{Expr: nixexpr.Ident{Name: "builtins"}, Attrs: []string{"toFile"}},
			Args: []nixexpr.Expr{str("lock2nix-yarn-git.sh"), nixexpr.Verbatim(gitSH)},
		}),
	}
	body := nixexpr.Let{
		Bindings: lets,
		Body: nixexpr.Apply{Func: nixexpr.Ident{Name: "builders"}, Args: []nixexpr.Expr{nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			nixexpr.Inherit{Names: []string{"stdenv", "nodejs", "src", "overrides", "installScripts", "serverScript", "gitScript", "sources", "root"}},
			attr("yarn", nixexpr.Ident{Name: yarnArg}),
			attr("records", nixexpr.Ident{Name: "packages"}),
			attr("format", str(l.Format.String())),
		}}}},
	}
	return nixexpr.Generated(h, formals, body), nil
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
