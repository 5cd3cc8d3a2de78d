// Package apicheck guards lock2nix's public Go API: api.txt at the
// repository root lists every exported identifier of the library
// packages, and this test fails when the code and the list disagree.
package apicheck

import (
	"bytes"
	"flag"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite api.txt from the code (removals need a note)")

// libraries are the packages other generators import.
var libraries = []string{"lockfile", "npmlock", "dunelock", "pnpmlock", "nixexpr", "nixexpr/npm", "nixexpr/dune", "nixexpr/pnpm", "report", "pins", "prefetch"}

const apiFile = "../../api.txt"

// exported lists one line per exported declaration: package, then the
// declaration without its body.
func exported(t *testing.T) []string {
	var lines []string
	for _, lib := range libraries {
		dir := filepath.Join("..", "..", lib)
		fset := token.NewFileSet()
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			continue // not written yet
		}
		pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkgs {
			d := doc.New(p, lib, 0)
			add := func(node any) {
				for _, l := range declLines(fset, node) {
					lines = append(lines, lib+": "+l)
				}
			}
			for _, v := range append(d.Consts, d.Vars...) {
				add(v.Decl)
			}
			for _, f := range d.Funcs {
				f.Decl.Body = nil
				add(f.Decl)
			}
			for _, ty := range d.Types {
				add(ty.Decl)
				for _, v := range append(ty.Consts, ty.Vars...) {
					add(v.Decl)
				}
				for _, f := range append(ty.Funcs, ty.Methods...) {
					f.Decl.Body = nil
					add(f.Decl)
				}
			}
		}
	}
	return lines
}

func TestAPI(t *testing.T) {
	got := exported(t)
	data, err := os.ReadFile(apiFile)
	if err != nil && !*update {
		t.Fatalf("%v (run go test ./internal/apicheck -update)", err)
	}
	var want, notes []string
	for _, l := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(l, "removed: "):
			notes = append(notes, l)
		case l != "" && !strings.HasPrefix(l, "#"):
			want = append(want, l)
		}
	}
	var removed, added []string
	for _, l := range want {
		if !slices.Contains(got, l) && !slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, "removed: "+l) }) {
			removed = append(removed, l)
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			added = append(added, l)
		}
	}
	for _, l := range removed {
		t.Errorf("removed from the public API without a note: %s\n\t(restore it, or add to api.txt a line \"removed: %s — why\")", l, l)
	}
	if *update && len(removed) == 0 {
		var b strings.Builder
		b.WriteString("# lock2nix's public Go API, checked by internal/apicheck.\n")
		b.WriteString("# Regenerate with: go test ./internal/apicheck -update (a removal needs a \"removed: <line> — why\" note).\n")
		for _, n := range notes {
			b.WriteString(n + "\n")
		}
		for _, l := range got {
			b.WriteString(l + "\n")
		}
		if err := os.WriteFile(apiFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, l := range added {
		t.Errorf("new public API not in api.txt: %s (record it: go test ./internal/apicheck -update)", l)
	}
}

// declLines prints a declaration one exported piece per line: a struct's
// fields and a const block's names each get their own line, so that
// adding a field or a constant is not mistaken for a removal.
func declLines(fset *token.FileSet, node any) []string {
	flat := func(n any) string {
		var buf bytes.Buffer
		printer.Fprint(&buf, fset, n)
		var parts []string
		for _, l := range strings.Split(buf.String(), "\n") {
			if i := strings.Index(l, "//"); i >= 0 {
				l = l[:i]
			}
			if l = strings.Join(strings.Fields(l), " "); l != "" {
				parts = append(parts, l)
			}
		}
		return strings.Join(parts, " ")
	}
	gd, ok := node.(*ast.GenDecl)
	if !ok {
		return []string{flat(node)}
	}
	var out []string
	for _, spec := range gd.Specs {
		switch sp := spec.(type) {
		case *ast.TypeSpec:
			st, isStruct := sp.Type.(*ast.StructType)
			if !isStruct {
				out = append(out, "type "+flat(sp))
				continue
			}
			out = append(out, "type "+sp.Name.Name+" struct")
			for _, f := range st.Fields.List {
				for _, n := range f.Names {
					if n.IsExported() {
						out = append(out, sp.Name.Name+"."+n.Name+" "+flat(f.Type))
					}
				}
			}
		case *ast.ValueSpec:
			for _, n := range sp.Names {
				if n.IsExported() {
					line := gd.Tok.String() + " " + n.Name
					if sp.Type != nil {
						line += " " + flat(sp.Type)
					}
					out = append(out, line)
				}
			}
		}
	}
	return out
}
