package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"
)

func TestMain(m *testing.M) {
	// The tests that run lock2nix in this process must not read the
	// machine's npm configuration: no user .npmrc, no npm_config_*. (The
	// scripts' lock2nix, this binary run under that name, keeps the
	// environment the script gives it.)
	if filepath.Base(os.Args[0]) != "lock2nix" {
		for _, kv := range os.Environ() {
			if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(strings.ToLower(k), "npm_config_") {
				os.Unsetenv(k)
			}
		}
		os.Setenv("NPM_CONFIG_USERCONFIG", os.DevNull)
	}
	testscript.Main(m, map[string]func(){
		"lock2nix": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI cases in testdata/script: each file holds the
// input files, the commands and what they must print.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script", Cmds: map[string]func(*testscript.TestScript, bool, []string){
		"testrepo": testRepo,
	}})
}

// testRepo is the scripts' "testrepo DIR": it writes the repository of
// testdata/repo.txtar (several projects; see its comment) into DIR.
func testRepo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: testrepo DIR")
	}
	a, err := txtar.ParseFile("../../testdata/repo.txtar")
	ts.Check(err)
	for _, f := range a.Files {
		name := ts.MkAbs(filepath.Join(args[0], filepath.FromSlash(f.Name)))
		ts.Check(os.MkdirAll(filepath.Dir(name), 0o755))
		ts.Check(os.WriteFile(name, f.Data, 0o644))
	}
}
