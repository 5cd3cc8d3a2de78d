// Package node holds lock2nix's node_modules layer, what every npm-style
// format (npm, and pnpm or yarn beside it) needs to build a node_modules
// tree whatever decides where packages go: unpacking archives, linking
// bins, running install scripts in the order given, building a project
// and the dev shell's hook. Its files are ordinary files of the
// repository, read by the flake and by `import lock2nix { }`; this
// package embeds them for files written with --standalone.
package node

import (
	_ "embed"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// Nix is modules.nix: the function from stdenv, nodejs, python3, cctools
// and the scripts to the layer's builders (unpack, gitFolder, runLayout,
// buildPackage, devShell, the host's platform names) and helpers
// (readable, shellQuote).
//
//go:embed modules.nix
var Nix string

// JS is modules.js, the layer's program and the module a format's own
// layout program requires as "../node/modules.js".
//
//go:embed modules.js
var JS string

// DevShell is devshell.sh, the dev shell hook's functions.
//
//go:embed devshell.sh
var DevShell string

// Entry is entry.nix, the entry every format's own entry.nix calls.
//
//go:embed entry.nix
var Entry string

// Format is what a node_modules format's slice hands the layer for a
// file written with --standalone: its name (the data's format and the
// attribute its parts go under), its data file's schema, and its own
// builders (builders.nix), layout program (layout.js) and entry.nix.
type Format struct {
	Name     string
	Schema   int
	Builders string
	Layout   string
	Entry    string
	// Formals are the file's arguments beyond the layer's (yarn's yarn
	// or yarn-berry), which callPackage then fills.
	Formals []nixexpr.Formal
	// Texts are more of the format's files, put in code.text by name
	// (yarn's, which has no layout program: its server and git scripts).
	Texts []Text
}

// Text is one of a format's files, for code.text.
type Text struct {
	Name, Text string
}

// Standalone returns one file in callPackage style that holds the data
// (bindings, as nixexpr.Data takes them) and lock2nix's parts written
// out, and calls the format's entry.nix with them: the form lock2nix
// wrote before data files.
func Standalone(h nixexpr.Header, f Format, bindings []nixexpr.Binding) *nixexpr.File {
	null := nixexpr.Null{}
	formals := []nixexpr.Formal{
		{Name: "stdenv"}, {Name: "fetchurl"}, {Name: "nodejs"},
		{Name: "src", Default: null}, {Name: "localRoot", Default: null}, {Name: "localPaths", Default: nixexpr.AttrSet{}},
		{Name: "overrides", Default: nixexpr.AttrSet{}}, {Name: "installScripts", Default: nixexpr.Bool{Value: true}},
		{Name: "python3", Default: null}, {Name: "cctools", Default: null},
	}
	formals = append(formals, f.Formals...)
	attr := func(name string, v nixexpr.Expr) nixexpr.Binding { return nixexpr.Attr{Path: []string{name}, Value: v} }
	texts := []nixexpr.Binding{attr("modules", nixexpr.Verbatim(JS))}
	if f.Layout != "" {
		texts = append(texts, attr(f.Name, nixexpr.Verbatim(f.Layout)))
	}
	texts = append(texts, attr("devShell", nixexpr.Verbatim(DevShell)))
	for _, t := range f.Texts {
		texts = append(texts, attr(t.Name, nixexpr.Verbatim(t.Text)))
	}
	code := nixexpr.AttrSet{Bindings: []nixexpr.Binding{
		attr("sources", nixexpr.Raw{Text: nixexpr.SourcesNix}),
		attr("local", nixexpr.Raw{Text: nixexpr.LocalNix}),
		attr("schema", nixexpr.Raw{Text: nixexpr.SchemaNix}),
		attr("node", nixexpr.Raw{Text: Nix}),
		attr("nodeEntry", nixexpr.Raw{Text: Entry}),
		attr(f.Name, nixexpr.Raw{Text: f.Builders}),
		attr("text", nixexpr.AttrSet{Bindings: texts}),
	}}
	return nixexpr.Standalone(h, formals, nixexpr.Data(h, f.Name, f.Schema, bindings), code, f.Entry)
}

// CheckGitDir checks dir, the folder of a package's git checkout that a
// record's gitDir names (lockfile.Source.Dir), before a data file holds
// it; checkout says whether the package's source is fetched as a git
// checkout (or a git host's archive of one). The builders check it
// again, against the checkout's files (no symbolic link on the way).
func CheckGitDir(dir string, checkout bool) error {
	if !checkout {
		return &nixexpr.Error{Msg: "a folder of a source that is no git checkout", Value: dir}
	}
	if err := lockfile.CheckDir(dir); err != nil {
		return &nixexpr.Error{Msg: "the folder of a git checkout " + err.Error(), Value: dir}
	}
	return nil
}
