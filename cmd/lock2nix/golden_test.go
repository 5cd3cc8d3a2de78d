package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden translates the projects under ../../testdata and compares
// the output with testdata/golden/<project>.nix.golden, the whole data
// file; -update rewrites them, after which read the diff before
// committing. nixexpr/npm's TestBuilderChangeKeepsGoldens emits them
// again with changed builders.
func TestGolden(t *testing.T) {
	projects, err := filepath.Glob("../../testdata/*/package-lock.json")
	if err != nil || len(projects) == 0 {
		t.Fatalf("no projects: %v", err)
	}
	more, _ := filepath.Glob("../../testdata/npm/*/package-lock.json")
	projects = append(projects, more...)
	duneLocks, _ := filepath.Glob("../../testdata/dune/*/dune.lock")
	projects = append(projects, duneLocks...)
	yarnLocks, _ := filepath.Glob("../../testdata/yarn/*/yarn.lock")
	projects = append(projects, yarnLocks...)
	for _, lock := range projects {
		dir := filepath.Dir(lock)
		name := filepath.Base(dir)
		command := "npm"
		switch filepath.Base(filepath.Dir(dir)) {
		case "npm":
			name = "npm-" + name
		case "dune":
			name, command = "dune-"+name, "dune"
		case "yarn":
			name, command = "yarn-"+name, "yarn"
		}
		t.Run(name, func(t *testing.T) {
			args := []string{command, dir}
			switch command {
			case "npm":
				args = append(args, "--registry", "https://registry.npm.test/")
			case "yarn":
				// berry locks pin no tarball: the goldens show them unpinned.
				args = append(args, "--registry", "https://registry.npm.test/", "--allow-unpinned")
			}
			got := translate(t, filepath.Join(t.TempDir(), "out.nix"), args...)
			if command == "yarn" {
				got = elideBuilders(got)
			}
			golden := filepath.Join("testdata", "golden", name+".nix.golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// elideBuilders cuts yarn's builder code, which is the same in every file
// and reviewed in nixexpr/yarn, so that golden diffs show the data.
func elideBuilders(out []byte) []byte {
	start := bytes.Index(out, []byte("\n  builders =\n"))
	end := bytes.Index(out, []byte("\nin\n"))
	if start < 0 || end < start {
		return out
	}
	return slices.Concat(out[:start], []byte("\n  # builders and layoutScript: nixexpr/builders (elided)"), out[end:])
}
