// Package apicheck guards lock2nix's public Go API: api.txt at the
// repository root lists every exported identifier of the library
// packages, and this test fails when the code and the list disagree.
package apicheck

import (
	"bytes"
	"flag"
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
var libraries = []string{"lockfile", "npmlock", "dunelock", "nixexpr"}

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
				var buf bytes.Buffer
				printer.Fprint(&buf, fset, node)
				// One line per declaration, comments and layout dropped.
				var parts []string
				for _, l := range strings.Split(buf.String(), "\n") {
					if i := strings.Index(l, "//"); i >= 0 {
						l = l[:i]
					}
					if l = strings.Join(strings.Fields(l), " "); l != "" {
						parts = append(parts, l)
					}
				}
				lines = append(lines, lib+": "+strings.Join(parts, " "))
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
