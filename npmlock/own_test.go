package npmlock

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

// TestGraphOwnsItsStrings parses lockfiles of every shape, then overwrites
// the bytes it parsed: a graph that still pointed into them would change.
func TestGraphOwnsItsStrings(t *testing.T) {
	type input struct{ lock, pkg []byte }
	inputs := map[string]input{}
	dirs, _ := filepath.Glob("../testdata/npm/*/package-lock.json")
	for _, lock := range dirs {
		l, err := os.ReadFile(lock)
		if err != nil {
			t.Fatal(err)
		}
		pkg, _ := os.ReadFile(filepath.Join(filepath.Dir(lock), "package.json"))
		inputs[lock] = input{l, pkg}
	}
	cases, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range cases {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var in input
		for _, f := range ar.Files {
			switch f.Name {
			case "package-lock.json":
				in.lock = f.Data
			case "package.json":
				in.pkg = f.Data
			}
		}
		inputs[file] = in
	}
	if len(inputs) < 10 {
		t.Fatalf("only %d lockfiles found", len(inputs))
	}
	opts := Options{Registry: Registry{URL: "https://registry.npm.test/", ReplaceHost: "always"}}
	for name, in := range inputs {
		want, err := Parse("package-lock.json", bytes.Clone(in.lock), bytes.Clone(in.pkg), opts)
		if err != nil {
			continue // error cases own nothing
		}
		lock, pkg := bytes.Clone(in.lock), bytes.Clone(in.pkg)
		got, err := Parse("package-lock.json", lock, pkg, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range [][]byte{lock, pkg} {
			for i := range b {
				b[i] = 'X'
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: the graph changed with the input's bytes (-want +got):\n%s", name, diff)
		}
	}
}
