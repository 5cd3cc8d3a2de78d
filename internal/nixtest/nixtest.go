// Package nixtest holds what the tests of every format's builders share:
// the repository they live in, strict evaluation with real Nix, a
// format's builders in scope through the nixpkgs stand-in, the
// refusals every data file's entry makes of a schema it cannot read, and
// the copies of a project a test changes and builds from a src that is a
// derivation's output.
package nixtest

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// Repo is the repository: the folder above the test's own that holds
// go.mod, whose default.nix hands out the builders.
func Repo(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("nixtest: no go.mod above the test's folder")
		}
		dir = up
	}
}

// Need skips the test where nix-instantiate is not installed.
func Need(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
}

// Eval evaluates expr strictly to JSON; on an error it returns Nix's
// message.
func Eval(expr string) ([]byte, error) {
	return Run(exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr))
}

// Run runs a Nix command: its output, or on an error its messages
// (stderr, where the build log goes).
func Run(cmd *exec.Cmd) ([]byte, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return stderr.Bytes(), err
	}
	return out, nil
}

// InstantiateNoIFD instantiates expr with import from derivation
// disallowed: its output, or on an error Nix's message.
func InstantiateNoIFD(expr string) ([]byte, error) {
	return Run(exec.Command("nix-instantiate", "--option", "allow-import-from-derivation", "false", "-E", expr))
}

// BuildUnbuiltSrc is the build of tree.<attr>, where tree (a Nix
// expression) has a derivation's output as its .src: it must instantiate
// with import from derivation disallowed without building src (nor
// reading it), and then it is built. It returns the build's output (the
// out path), or on an error its log.
func BuildUnbuiltSrc(t *testing.T, tree, attr string) ([]byte, error) {
	t.Helper()
	out, err := InstantiateNoIFD(tree + "." + attr)
	if err != nil {
		t.Fatalf("evaluation refused: %v\n%s", err, out)
	}
	srcOut, err := Run(exec.Command("nix-instantiate", "--eval", "--json", "-E", tree+`.src.outPath`))
	if err != nil {
		t.Fatalf("%v\n%s", err, srcOut)
	}
	if _, err := os.Stat(strings.Trim(string(srcOut), "\"\n")); err == nil {
		t.Errorf("evaluation built src %s", srcOut)
	}
	return Run(exec.Command("nice", "-n", "10", "nix-build", "--option", "substituters", "", "--no-out-link", "-E", tree+"."+attr))
}

// WantFailedLine checks that a build (out and err from BuildUnbuiltSrc)
// failed with line, whole, in its log.
func WantFailedLine(t *testing.T, out []byte, err error, line string) {
	t.Helper()
	if err == nil {
		t.Fatalf("built: %s", out)
	}
	if !strings.Contains(string(out), "\n"+line) {
		t.Errorf("log:\n%s\nwant the line:\n%s", out, line)
	}
}

// WithBuilders is expr with pkgs (the nixpkgs stand-in of the repository
// at stand) and format's builders from repo ((import repo { inherit pkgs;
// }).<format>, as lib.<format> gives them) in scope under the format's
// name.
func WithBuilders(stand, repo, format, expr string) string {
	standin := filepath.Join(stand, "testdata", "nixpkgs-standin")
	return `let pkgs = import ` + standin + ` { }; ` + format + ` = (import ` + repo + ` { inherit pkgs; }).` + format + `; in ` + expr
}

// SchemaRefusals gives format's builders data files they cannot read
// (newer and unknown schemas, none, another format's), each with fields,
// the rest of a data file; eval evaluates what the builders make of one
// (a Nix expression). Each must be refused with a message naming the
// file's schema, the builders' (newest), and what to do.
func SchemaRefusals(t *testing.T, format string, newest int, fields string, eval func(data string) ([]byte, error)) {
	t.Helper()
	other := "npm"
	if format == other {
		other = "dune"
	}
	n := strconv.Itoa(newest)
	file := func(schema int) string {
		return `{ format = "` + format + `"; schema = ` + strconv.Itoa(schema) + `; ` + fields + ` }`
	}
	for _, c := range []struct {
		name, data string
		want       []string
	}{
		{"newer", file(newest + 1), []string{"the " + format + " data file has schema " + strconv.Itoa(newest+1), "these builders read schema " + n,
			"update lock2nix (the flake input, overlay or source you import its builders from)"}},
		{"unknown", file(0), []string{"has schema 0", "these builders read schema " + n, "regenerate the file with this lock2nix (lock2nix " + format + ")"}},
		{"no schema", `{ sources = { }; }`, []string{"not one lock2nix wrote (no schema); regenerate it with: lock2nix " + format}},
		{"another format", `{ format = "` + other + `"; schema = 1; }`, []string{"a " + other + " data file, not " + format + "'s: build it with lock2nix.lib." + other}},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg, err := eval(c.data)
			if err == nil {
				t.Fatalf("evaluated: %s", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(string(msg), w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
		})
	}
}

// ChangeBuilders adds a line to the front of each embedded builder file
// (a release that changes only builders), until the test ends.
func ChangeBuilders(t *testing.T, files ...*string) {
	for _, s := range files {
		old := *s
		*s = "# a changed line\n" + old
		t.Cleanup(func() { *s = old })
	}
}

// EmitBoth returns what emit and standalone write of lock: a data file and
// its --standalone file.
func EmitBoth[L any](t *testing.T, lock L, h nixexpr.Header, emit, standalone func(io.Writer, L, nixexpr.Header) error) [2][]byte {
	t.Helper()
	var data, whole bytes.Buffer
	if err := emit(&data, lock, h); err != nil {
		t.Fatal(err)
	}
	if err := standalone(&whole, lock, h); err != nil {
		t.Fatal(err)
	}
	return [2][]byte{data.Bytes(), whole.Bytes()}
}

// BuilderChangeKeeps emits a project twice through both (its data file
// and its --standalone file), before and after change (a release that
// changes only builders): the data file must be want, the golden at
// golden, both times byte for byte (so --check stays green), and the
// --standalone file, which holds the builders, must change.
func BuilderChangeKeeps(t *testing.T, golden string, want []byte, both func() [2][]byte, change func()) {
	t.Helper()
	before := both()
	if diff := cmp.Diff(string(want), string(before[0])); diff != "" {
		t.Fatalf("the data file is not the golden %s before any change (-golden +emitted):\n%s", golden, diff)
	}
	change()
	after := both()
	if diff := cmp.Diff(string(want), string(after[0])); diff != "" {
		t.Errorf("a builder change changed the data file %s (-golden +after):\n%s", golden, diff)
	}
	if bytes.Equal(before[1], after[1]) {
		t.Error("the --standalone file did not change with the builders: the test changed nothing")
	}
}

// CopyProject copies the project folder from into a temporary folder.
func CopyProject(t testing.TB, from string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "project")
	if err := os.CopyFS(dir, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// AppendTo returns a change that appends text to the project's file name,
// making it when absent.
func AppendTo(name, text string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(text); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// Remove returns a change that removes the project's file name.
func Remove(name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}
