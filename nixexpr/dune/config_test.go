package dune

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigVariables builds actions that read variables of a
// dependency's .config file (what %{pkg:ocaml:native} and friends read)
// and runs them with bash: a defined variable gives its value, in an
// argument and in a condition; a missing file or variable stops the
// build, in either place, with a message that names the package, the
// action and the variable, before the next step runs; catch_undefined_var
// and has_undefined_var see a variable undefined at build time.
func TestConfigVariables(t *testing.T) {
	const config = `opam-version: "2.0"
variables {
  native: true
  stubsdir: "/a \"b\"\\c"
  preinstalled: false
}
`
	for _, tc := range []struct {
		name, action string
		config       bool
		want         string // the file out.txt, when the build must succeed
		wantErr      string
	}{
		{"argument", `(with-stdout-to out.txt (echo %{pkg:ocaml:native} %{pkg:ocaml:stubsdir}))`, true, `true /a "b"\c`, ""},
		{"condition", `(when %{pkg:ocaml:native} (write-file out.txt yes))`, true, "yes", ""},
		{"false condition", `(progn (write-file out.txt no) (when %{pkg:ocaml:preinstalled} (write-file out.txt yes)))`, true, "no", ""},
		{"missing file in an argument", `(with-stdout-to out.txt (echo %{pkg:ocaml:native}))`, false, "",
			"lock2nix: a.1: dune.lock/a.pkg:3:39 (echo): %{pkg:ocaml:native} is undefined: ocaml installed no ocaml.config (/dep/ocaml/nix-support/ocaml.config does not exist)"},
		{"missing file in a condition", `(when %{pkg:ocaml:native} (run true))`, false, "",
			"lock2nix: a.1: dune.lock/a.pkg:3:15 (when): %{pkg:ocaml:native} is undefined: ocaml installed no ocaml.config"},
		{"missing variable in a condition", `(when %{pkg:ocaml:native-dynlink} (run true))`, true, "",
			"lock2nix: a.1: dune.lock/a.pkg:3:15 (when): %{pkg:ocaml:native-dynlink} is undefined: /dep/ocaml/nix-support/ocaml.config has no variable native-dynlink"},
		{"missing variable in a run's when", `(run echo (when %{pkg:ocaml:flambda} -O3))`, true, "",
			"%{pkg:ocaml:flambda} is undefined"},
		{"catch_undefined_var, defined", `(when (catch_undefined_var %{pkg:ocaml:native} false) (write-file out.txt yes))`, true, "yes", ""},
		{"catch_undefined_var, undefined", `(progn (write-file out.txt no) (when (catch_undefined_var %{pkg:ocaml:flambda} true) (write-file out.txt yes)))`, true, "yes", ""},
		{"catch_undefined_var, no file", `(with-stdout-to out.txt (echo (catch_undefined_var %{pkg:ocaml:native} fallback)))`, false, "fallback", ""},
		{"has_undefined_var", `(with-stdout-to out.txt (echo (has_undefined_var %{pkg:ocaml:flambda}) (has_undefined_var %{pkg:ocaml:native})))`, true, "true false", ""},
		{"an undefined variable of the lock", `(when %{pkg:absent:native} (run true))`, false, "",
			"lock2nix: a.1: dune.lock/a.pkg:3:15 (when): %{pkg:absent:native} is undefined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lock := parseLock(t, map[string]string{
				"a.pkg":     "(version 1)\n(depends ocaml)\n(build (progn " + tc.action + " (write-file after.txt ran)))\n",
				"ocaml.pkg": "(version 5.2.0)\n",
			})
			p := lock.Graph.Packages[0]
			c := &shellCompiler{pkg: p, closure: map[string]bool{"ocaml": true}, versions: map[string]string{"a": "1", "ocaml": "5.2.0"}, dev: map[string]bool{}}
			script, err := c.script(lock.Recipes[p.ID].Build[0].Action)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			// The dependency's output is /dep/ocaml: its nix-support is
			// made under dir and reached by a link.
			root := filepath.Join(dir, "dep")
			if err := os.MkdirAll(filepath.Join(root, "ocaml", "nix-support"), 0o755); err != nil {
				t.Fatal(err)
			}
			if tc.config {
				if err := os.WriteFile(filepath.Join(root, "ocaml", "nix-support", "ocaml.config"), []byte(config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			script = strings.ReplaceAll(script, "$"+depVar("ocaml"), root+"/ocaml")
			work := filepath.Join(dir, "work")
			os.Mkdir(work, 0o755)
			stderr, err := runWithHelpers(t, work, c, script)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("the build succeeded:\n%s", script)
				}
				want := strings.ReplaceAll(tc.wantErr, "/dep/", root+"/")
				if !strings.Contains(stderr, want) {
					t.Errorf("standard error\n%s\nlacks\n%s", stderr, want)
				}
				if _, err := os.Stat(filepath.Join(work, "after.txt")); err == nil {
					t.Error("the next step ran")
				}
				return
			}
			if err != nil {
				t.Fatalf("bash: %v\n%s\n%s", err, stderr, script)
			}
			got, _ := os.ReadFile(filepath.Join(work, "out.txt"))
			if string(got) != tc.want {
				t.Errorf("out.txt = %q, want %q", got, tc.want)
			}
		})
	}
}
