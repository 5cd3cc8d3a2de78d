package npm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

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

// marshal is encoding/json's rendering of r, without HTML escaping: the
// definition appendJSON must follow.
func marshal(t testing.TB, r *Record) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// TestRecordJSON checks the records' fast encoder against encoding/json
// on every package of the npm test projects and on records with every
// field set and strings JSON escapes.
func TestRecordJSON(t *testing.T) {
	var recs []*Record
	dirs, _ := filepath.Glob("../../testdata/npm/*")
	dirs = append(dirs, "../../testdata/example")
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err != nil {
			continue
		}
		g := parseProject(t, dir)
		for _, p := range g.Packages {
			recs = append(recs, record(p, "src-"+p.Name))
		}
	}
	odd := "q\"b\\n\n\r\t\b\f\x01\x1f<>&\u2028\u2029é☃"
	empty := ""
	recs = append(recs,
		&Record{},
		&Record{Name: &odd, Version: &empty, Pname: odd, DrvVersion: "0", Source: "git", Src: odd, Path: odd,
			Installs: map[string][]string{odd: {}, "b": {"dev", odd}, "a": nil},
			Bins:     map[string]string{"z": odd, odd: "a"},
			Deps:     &Deps{Prod: []string{odd}, Peer: []string{"a", "b"}},
			OS:       []string{"!win32"}, CPU: []string{odd}, Libc: []string{"glibc"},
			Engines:          &Engines{Node: [][]string{{">=1.0.0", odd}, {}, nil}},
			HasInstallScript: true, License: odd},
		&Record{Deps: &Deps{}, Engines: &Engines{}},
	)
	for _, r := range recs {
		if got, want := string(r.appendJSON(nil)), marshal(t, r); got != want {
			t.Errorf("appendJSON differs from encoding/json:\n got %s\nwant %s", got, want)
		}
	}
	if len(recs) < 100 {
		t.Errorf("only %d records", len(recs))
	}
}

// FuzzRecordJSON checks the fast encoder against encoding/json on any
// UTF-8 text.
func FuzzRecordJSON(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\", "\x00\x7f", "\u2028", "é", "<script>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		r := &Record{Name: &s, Src: s, Installs: map[string][]string{s: {s}}, Bins: map[string]string{s: s}, Deps: &Deps{Dev: []string{s}}, Engines: &Engines{Node: [][]string{{s}}}, License: s}
		if got, want := string(r.appendJSON(nil)), marshal(t, r); got != want {
			t.Errorf("%q: appendJSON %s, encoding/json %s", s, got, want)
		}
	})
}
