package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/nixexpr/npm"
	"github.com/lock2nix/lock2nix/report"
)

// TestReportGolden prints the report of every project under ../../testdata,
// as text and as JSON, and compares it with
// testdata/golden/report/<project>.{txt,json}; -update rewrites them (read
// the diff).
func TestReportGolden(t *testing.T) {
	locks, _ := filepath.Glob("../../testdata/*/package-lock.json")
	more, _ := filepath.Glob("../../testdata/npm/*/package-lock.json")
	dune, _ := filepath.Glob("../../testdata/dune/*/dune.lock")
	for _, lock := range append(append(locks, more...), dune...) {
		dir := filepath.Dir(lock)
		name, command := filepath.Base(dir), "npm"
		switch filepath.Base(filepath.Dir(dir)) {
		case "npm":
			name = "npm-" + name
		case "dune":
			name, command = "dune-"+name, "dune"
		}
		for _, format := range []string{"txt", "json"} {
			t.Run(name+"."+format, func(t *testing.T) {
				args := []string{command, dir, "--report=text"}
				if format == "json" {
					args[2] = "--report=json"
				}
				if command == "npm" {
					args = append(args, "--registry", "https://registry.npm.test/")
				}
				var stdout, stderr bytes.Buffer
				if code := run(args, &stdout, &stderr); code != exitOK {
					t.Fatalf("lock2nix %v: exit %d\n%s", args, code, stderr.String())
				}
				golden := filepath.Join("testdata", "golden", "report", name+"."+format)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
					t.Errorf("%s (-want +got):\n%s", golden, diff)
				}
			})
		}
	}
}

// TestReportSystems: the npm and dune tables name the systems the report
// speaks of, in its order.
func TestReportSystems(t *testing.T) {
	var npmNames, duneNames []string
	for _, h := range npm.Hosts {
		npmNames = append(npmNames, h.System)
	}
	for _, s := range duneSystems {
		duneNames = append(duneNames, s.System)
	}
	if diff := cmp.Diff(report.Systems, npmNames); diff != "" {
		t.Errorf("npm.Hosts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(report.Systems, duneNames); diff != "" {
		t.Errorf("duneSystems (-want +got):\n%s", diff)
	}
}
