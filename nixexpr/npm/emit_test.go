package npm

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// bigGraph makes a graph of n packages, one in five sharing an archive.
func bigGraph(t *testing.T, n int) *lockfile.Graph {
	t.Helper()
	h, err := lockfile.ParseIntegrity("sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==")
	if err != nil {
		t.Fatal(err)
	}
	g := &lockfile.Graph{Root: lockfile.Root{Name: "big", Version: "1.0.0"}}
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

var header = nixexpr.Header{Generator: "test", Input: "package-lock.json", Command: "test"}

// TestEmitPrintsBuild checks that Emit writes what Build's tree prints.
func TestEmitPrintsBuild(t *testing.T) {
	g := bigGraph(t, 300)
	f, err := Build(g, header)
	if err != nil {
		t.Fatal(err)
	}
	var whole, emitted bytes.Buffer
	if err := nixexpr.Print(&whole, f); err != nil {
		t.Fatal(err)
	}
	if err := Emit(&emitted, g, header); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(whole.String(), emitted.String()); diff != "" {
		t.Errorf("Emit differs from Build (-Build +Emit):\n%s", diff)
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("disk full")
}

// TestEmitWriteError checks that a failing writer stops Emit with its
// error, after one write: the file is made whole first.
func TestEmitWriteError(t *testing.T) {
	w := &failingWriter{}
	err := Emit(w, bigGraph(t, 3000), header)
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("Emit = %v, want the writer's error", err)
	}
	if w.n != 1 {
		t.Errorf("%d writes, want 1", w.n)
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
		if got := nixexpr.DrvName(name, "package"); got != builders {
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
		var out bytes.Buffer
		err := Emit(&out, g, header)
		var e *nixexpr.Error
		if !errors.As(err, &e) || e.Value != bad {
			t.Errorf("bin path %q: Emit = %v, want an *Error naming it", bad, err)
		}
		if out.Len() > 0 {
			t.Errorf("bin path %q: Emit wrote %d bytes before failing", bad, out.Len())
		}
	}
}
