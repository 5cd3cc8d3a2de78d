package npmlock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzParse feeds arbitrary bytes to the parser, seeded with the test
// lockfiles: it must return a graph or an error, never panic, and every
// error must name the file.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, s := range ar.Files {
			if s.Name == "package-lock.json" {
				f.Add(s.Data)
			}
		}
	}
	if data, err := os.ReadFile("../testdata/example/package-lock.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Parse("lock.json", string(data), nil, Options{Registry: Registry{URL: "https://r.test/", ReplaceHost: "always"}})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "lock.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, p := range g.Packages {
			if seen[p.ID] {
				t.Fatalf("duplicate package ID %q", p.ID)
			}
			seen[p.ID] = true
			for _, in := range p.Installs {
				if strings.Contains(in.Path, "\\") || strings.HasPrefix(in.Path, "/") {
					t.Fatalf("unsafe install path %q", in.Path)
				}
			}
		}
	})
}
