package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

// TestBadInput runs lock2nix on each malformed input in ../../testdata/bad:
// it must exit 1, write nothing, and print exactly the "want" section
// ($DIR stands for the project folder, in the inputs too). -update
// rewrites want.
func TestBadInput(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/bad/*.txtar")
	if len(files) == 0 {
		t.Fatal("no cases in testdata/bad")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			// Inputs may name the project's folder, as dune's local pins
			// do, by its real path.
			real, err := filepath.EvalSymlinks(dir)
			if err != nil {
				t.Fatal(err)
			}
			var want string
			for _, f := range ar.Files {
				if f.Name == "want" {
					want = string(f.Data)
					continue
				}
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f.Name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f.Name), bytes.ReplaceAll(f.Data, []byte("$DIR"), []byte(real)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			command := strings.SplitN(name, "-", 2)[0]
			out := filepath.Join(dir, "out.nix")
			var stdout, stderr bytes.Buffer
			code := run([]string{command, dir, "-o", out}, &stdout, &stderr)
			if code != exitFailure {
				t.Errorf("exit %d, want %d", code, exitFailure)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("an output file was written")
			}
			got := strings.ReplaceAll(strings.ReplaceAll(stderr.String(), dir, "$DIR"), real, "$DIR")
			if *update {
				for i := range ar.Files {
					if ar.Files[i].Name == "want" {
						ar.Files[i].Data = []byte(got)
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}
