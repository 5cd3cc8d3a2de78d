package nixexpr

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

// bigGraph has enough packages that Emit's output spans many flushes.
func bigGraph(t *testing.T, n int) *lockfile.Graph {
	t.Helper()
	h, err := lockfile.ParseIntegrity("sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==")
	if err != nil {
		t.Fatal(err)
	}
	g := &lockfile.Graph{Ecosystem: "npm", Root: lockfile.Root{Name: "big", Version: "1.0.0"}}
	for i := range n {
		name := fmt.Sprintf("@s/p%d", i)
		url := fmt.Sprintf("https://registry.npm.test/%s/-/p%d-1.0.0.tgz", name, i)
		if i%5 == 4 {
			// Shares the previous package's archive.
			url = fmt.Sprintf("https://registry.npm.test/@s/p%d/-/p%d-1.0.0.tgz", i-1, i-1)
		}
		g.Packages = append(g.Packages, &lockfile.Package{
			ID: name + "@1.0.0", Name: name, Version: "1.0.0",
			Source:   lockfile.Source{Kind: lockfile.Tarball, URL: url, Hash: h},
			Installs: []lockfile.Install{{Path: "node_modules/" + name, Flags: lockfile.Flags(i % 3)}},
			Deps:     []lockfile.Edge{{Name: fmt.Sprintf("@s/p%d", (i+1)%n), Kind: lockfile.DepProd, Spec: "^1.0.0"}},
		})
	}
	return g
}

// plainWriter hides that it is a *bytes.Buffer, so Print streams to it.
type plainWriter struct{ b bytes.Buffer }

func (w *plainWriter) Write(p []byte) (int, error) { return w.b.Write(p) }

// TestEmitStreams checks that the streamed file, printed in pieces, is the
// file Build's whole tree prints.
func TestEmitStreams(t *testing.T) {
	g := bigGraph(t, 3000)
	opts := EmitOptions{Generator: "test", Input: "package-lock.json", Command: "test"}
	f, err := Build(g, opts)
	if err != nil {
		t.Fatal(err)
	}
	var whole bytes.Buffer
	if err := Print(&whole, f); err != nil {
		t.Fatal(err)
	}
	if whole.Len() < 4*flushAt {
		t.Fatalf("output is %d bytes; the test needs several flushes", whole.Len())
	}
	var direct bytes.Buffer
	if err := Emit(&direct, g, opts); err != nil {
		t.Fatal(err)
	}
	var streamed plainWriter
	if err := Emit(&streamed, g, opts); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(whole.String(), direct.String()); diff != "" {
		t.Errorf("Emit into a bytes.Buffer differs from Build (-Build +Emit):\n%s", diff)
	}
	if diff := cmp.Diff(whole.String(), streamed.b.String()); diff != "" {
		t.Errorf("streamed Emit differs from Build (-Build +Emit):\n%s", diff)
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n++; w.n > 2 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestEmitWriteError checks that a failing writer stops Emit with its error.
func TestEmitWriteError(t *testing.T) {
	w := &failingWriter{}
	err := Emit(w, bigGraph(t, 3000), EmitOptions{})
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("Emit = %v, want the writer's error", err)
	}
	if w.n != 3 {
		t.Errorf("%d writes; printing should stop at the first failure", w.n)
	}
}

// FuzzDerivablePname checks the rule the builders use for a pname against
// DrvName: whenever the emitter leaves the pname out, the builders' rule
// must give what DrvName would have written.
func FuzzDerivablePname(f *testing.F) {
	for _, s := range []string{"ms", "@types/node", "@a/b/c", ".hidden", "@.x/y", "/abs", "a b", "@", "", "x@1", strings.Repeat("a", 101)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !derivablePname(name) {
			return
		}
		builders := strings.ReplaceAll(strings.TrimPrefix(name, "@"), "/", "-")
		if got := DrvName(name, "package"); got != builders {
			t.Errorf("name %q: DrvName gives %q, the builders %q", name, got, builders)
		}
	})
}

// TestEmitRejectsUnwritable: a record cannot carry invalid UTF-8 (JSON)
// or NUL (Nix strings); Emit says so instead of writing a file Nix rejects.
func TestEmitRejectsUnwritable(t *testing.T) {
	for _, bad := range []string{"a\x00b", "\xff"} {
		g := bigGraph(t, 2)
		g.Packages[1].Bins = []lockfile.Bin{{Name: "x", Path: bad}}
		err := Emit(&bytes.Buffer{}, g, EmitOptions{})
		var e *Error
		if !errors.As(err, &e) || e.Value != bad {
			t.Errorf("bin path %q: Emit = %v, want an *Error naming it", bad, err)
		}
	}
}
