package dune

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runWithHelpers runs a package's compiled build script with bash, the
// helpers of helpers.sh defined as the builders define them, in dir,
// with $out /out and every dependency's output /dep/<name>. It returns
// the script's standard error.
func runWithHelpers(t *testing.T, dir string, c *shellCompiler, script string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	var env strings.Builder
	env.WriteString("set -eo pipefail\nout=/out dune_build=\"$PWD\" dune_os=linux\n")
	env.WriteString("export OPAM_PACKAGE_NAME=" + c.pkg.Name + " OPAM_PACKAGE_VERSION=" + c.pkg.Version + "\n")
	for n := range c.closure {
		env.WriteString(depVar(n) + "=/dep/" + n + "\n")
	}
	env.WriteString("dune_run() { \"$@\"; }\n")
	cmd := exec.Command("bash", "-c", env.String()+helpersSh+script)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	return stderr.String(), err
}

// TestSubstitute runs substitute actions on files and compares what they
// write with what dune writes: the cases of dune's own tests of
// substitute (test/blackbox-tests/test-cases/pkg/substitute.t,
// subst-installed-variable.t) and the forms of opam's expansion those do
// not reach (OpamFilter.expand_string: converters, several packages,
// enable, unclosed and odd names). Paths are absolute, where dune writes
// them relative to the file's folder.
func TestSubstitute(t *testing.T) {
	lock := parseLock(t, map[string]string{
		"test.pkg":       "(version 0.0.1)\n(depends dependency)\n(build (substitute in.txt out.txt))\n",
		"dependency.pkg": "(version 1.2)\n",
		"other.pkg":      "(version 3)\n",
	})
	var c *shellCompiler
	for _, p := range lock.Graph.Packages {
		if p.Name == "test" {
			c = &shellCompiler{pkg: p, closure: map[string]bool{"dependency": true},
				versions: map[string]string{"test": "0.0.1", "dependency": "1.2", "other": "3"}, dev: map[string]bool{}}
			script, err := c.script(lock.Recipes[p.ID].Build[0].Action)
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct{ name, in, want string }{
				{"plain text", "This file will be fed to the substitution mechanism\n", "This file will be fed to the substitution mechanism\n"},
				{"undefined", "We substitute this '%%{var}%%' into '%{var}%'\n", "We substitute this '%{var}%' into ''\n"},
				{"name and version", "'%{name}%' '%{_:name}%' '%{version}%' '%{_:version}%'\n", "'test' 'test' '0.0.1' '0.0.1'\n"},
				{"sections", "%{lib}% %{libexec}% %{bin}% %{sbin}% %{toplevel}% %{share}% %{etc}% %{doc}% %{stublibs}% %{man}%\n",
					"/out/lib /out/lib /out/bin /out/sbin /out/lib/toplevel /out/share /out/etc /out/doc /out/lib/stublibs /out/man\n"},
				{"with-test is undefined", "'%{with-test}%'\n", "''\n"},
				{"os", "%{os}%\n", "linux\n"},
				{"a dependency's path", "'%{dependency:lib}%'\n", "'/dep/dependency/lib/dependency'\n"},
				{"a dependency's version", "%{dependency:version}% %{dependency:installed}%\n", "1.2 true\n"},
				{"not a dependency", "foo: %{somepkg:installed}% %{other:installed}% '%{other:version}%'\n", "foo: false false ''\n"},
				{"converter", "%{dependency:installed?yes:no}% %{other:installed?yes:no}% %{dependency:version?a:b}%\n", "yes no b\n"},
				{"global converter", "%{undefined?a:b}%\n", "b\n"},
				{"several packages", "%{dependency+_:installed}% %{dependency+other:installed}% %{other+dependency:installed}% %{dependency+_:installed?y:n}%\n", "true false false y\n"},
				{"enable", "%{dependency:enable}% %{other:enable}% %{_:enable}%\n", "enable disable enable\n"},
				{"percent signs", "100%% %s %%s %{ %}% %\n", "100% %s %s  %\n"},
				{"unclosed", "a %{name b\n", "a %{name b\n"},
				{"brace inside", "%{a}b}% %{x}}%\n", " %{x}}%\n"},
				{"no final newline", "%{name}%", "test\n"},
				{"carriage returns", "%{name}%\r\nx\r\n", "test\nx\n"},
				{"empty", "", ""},
				{"shell text stays", "$(touch pwned) `id` ${x} \\ \"\n", "$(touch pwned) `id` ${x} \\ \"\n"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					dir := t.TempDir()
					if err := os.WriteFile(filepath.Join(dir, "in.txt"), []byte(tc.in), 0o644); err != nil {
						t.Fatal(err)
					}
					if stderr, err := runWithHelpers(t, dir, c, script); err != nil {
						t.Fatalf("bash: %v\n%s\n%s", err, stderr, script)
					}
					got, err := os.ReadFile(filepath.Join(dir, "out.txt"))
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(tc.want, string(got)); diff != "" {
						t.Errorf("(-want +got):\n%s", diff)
					}
					if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
						t.Error("the file's text ran")
					}
				})
			}
			t.Run("undefined is noted", func(t *testing.T) {
				dir := t.TempDir()
				os.WriteFile(filepath.Join(dir, "in.txt"), []byte("%{var}%\n"), 0o644)
				stderr, err := runWithHelpers(t, dir, c, script)
				if err != nil {
					t.Fatal(err)
				}
				if want := `lock2nix: test.0.0.1: dune.lock/test.pkg:3:8 (substitute): %{var}% is undefined`; !strings.Contains(stderr, want) {
					t.Errorf("standard error %q lacks %q", stderr, want)
				}
			})
			t.Run("missing file", func(t *testing.T) {
				stderr, err := runWithHelpers(t, t.TempDir(), c, script+"echo went on\n")
				if err == nil || strings.Contains(stderr, "went on") {
					t.Fatalf("the build went on: %v %s", err, stderr)
				}
				if want := "lock2nix: test.0.0.1: dune.lock/test.pkg:3:8 (substitute): the file to substitute, in.txt, does not exist"; !strings.Contains(stderr, want) {
					t.Errorf("standard error %q lacks %q", stderr, want)
				}
			})
		}
	}
}

// TestSubstituteOCamlConfig substitutes ocaml-config's real template
// (opam-repository's gen_ocaml_config.ml.in, version 3, from the shared
// sources) as the ocaml-config package of a lock with
// ocaml-base-compiler 5.2.0 does, and checks the lines the ocaml package
// then compiles: the format strings' "%%" become "%" and the compiler's
// name is its version.
func TestSubstituteOCamlConfig(t *testing.T) {
	data, err := os.ReadFile("../../../shared/dune-sources/gridbugs/gen_ocaml_config.ml.in.3")
	if err != nil {
		t.Skipf("the shared sources are absent: %v", err)
	}
	lock := parseLock(t, map[string]string{
		"ocaml-config.pkg":        "(version 3)\n(depends ocaml-base-compiler)\n(build (substitute gen_ocaml_config.ml.in gen_ocaml_config.ml))\n",
		"ocaml-base-compiler.pkg": "(version 5.2.0)\n",
	})
	p := lock.Graph.Packages[1]
	if p.Name != "ocaml-config" {
		t.Fatalf("package %s", p.Name)
	}
	c := &shellCompiler{pkg: p, closure: map[string]bool{"ocaml-base-compiler": true},
		versions: map[string]string{"ocaml-config": "3", "ocaml-base-compiler": "5.2.0"}, dev: map[string]bool{}}
	script, err := c.script(lock.Recipes[p.ID].Build[0].Action)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gen_ocaml_config.ml.in"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if stderr, err := runWithHelpers(t, dir, c, script); err != nil {
		t.Fatalf("bash: %v\n%s", err, stderr)
	}
	got, err := os.ReadFile(filepath.Join(dir, "gen_ocaml_config.ml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`       "OCaml version mismatch: %s, expected %s"`,
		`  p "  native: %b"`,
		`  p "  stubsdir: %S"`,
		`  p "  preinstalled: false";`,
		`  p "  compiler: \"5.2.0\"";`,
	} {
		if !strings.Contains(string(got), want+"\n") {
			t.Errorf("no line %q in\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "%%") || strings.Contains(string(got), "%{") {
		t.Errorf("opam text is left in\n%s", got)
	}
	if len(strings.Split(string(got), "\n")) != len(strings.Split(string(data), "\n")) {
		t.Error("the line count changed")
	}
}

// TestHelpersShellcheck checks helpers.sh with shellcheck, when it is
// installed.
func TestHelpersShellcheck(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("shellcheck is not installed")
	}
	if out, err := exec.Command("shellcheck", "helpers.sh").CombinedOutput(); err != nil {
		t.Errorf("shellcheck helpers.sh: %v\n%s", err, out)
	}
}
