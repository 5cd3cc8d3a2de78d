package npmlock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
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

// FuzzScan holds the scan ([parser.scan]) to the slow path (validation,
// then gjson alone): on any text, the same graph, errors and warnings.
func FuzzScan(f *testing.F) {
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
	for _, s := range []string{
		`{"lockfileVersion": 2, "packages": {"": {}, "node_modules/a": {"version": "1.0.0", "resolved": "https://r.test/a.tgz", "name": "\u00e9\n"}}}`,
		`{"packages": {"node_modules/a": {"version": "1.0.0"}}, "lockfileVersion": 3}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "version": 1e3, "dev": -0.5}}, "packages": 1}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"name": "a\u0000"}}}`,
		`{"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0"}}} `,
		"{\"lockfileVersion\": 3, \"packages\": {\"\xff\": {}}}",
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "peerDependencies": {"b": "^1", "c": 2, "d\u00e9": "~1"}, "dependencies": {"x": "1"}, "dependencies": {"y": "2", "y": "3"}, "peerDependenciesMeta": {"b": {"optional": true}}, "devDependencies": [], "requires": true}}}`,
		`[1, 2.5e-3, true, false, null, "x"]`,
		`{"a": [}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		run := func(slow bool) (string, *lockfile.Graph) {
			var warnings []string
			opts := Options{Registry: Registry{URL: "https://r.test/"}, Warn: func(msg string) { warnings = append(warnings, msg) }}
			g, err := parse("lock.json", string(data), nil, opts, slow)
			out := strings.Join(warnings, "\n")
			if err != nil {
				out += "\nerror: " + err.Error()
			}
			return out, g
		}
		fastOut, fastG := run(false)
		slowOut, slowG := run(true)
		if diff := cmp.Diff(slowOut, fastOut); diff != "" {
			t.Fatalf("warnings and errors differ (-slow +scan):\n%s", diff)
		}
		if diff := cmp.Diff(slowG, fastG); diff != "" {
			t.Fatalf("graphs differ (-slow +scan):\n%s", diff)
		}
	})
}
