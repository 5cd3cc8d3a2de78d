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
// DrvName: the emitter leaves the pname out exactly where the builders'
// rule gives what DrvName would have written.
func FuzzDerivablePname(f *testing.F) {
	for _, s := range []string{"ms", "@types/node", "@a/b/c", ".hidden", "@.x/y", "/abs", "a b", "@", "", "x@1", "@@x", "a/.b",
		strings.Repeat("a", 100), "@" + strings.Repeat("a", 100), strings.Repeat("a", 101), "..", "a\xffb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s := strings.TrimPrefix(name, "@")
		builders := strings.ReplaceAll(s, "/", "-")
		// The rule as first written: DrvName's result, compared.
		want := s != "" && s[0] != '/' && nixexpr.DrvName(name, "") == builders
		if got := derivablePname(name); got != want {
			t.Errorf("name %q: derivablePname = %v, DrvName gives %q, the builders %q", name, got, nixexpr.DrvName(name, ""), builders)
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

// record returns p's record, the definition recordWriter follows; src
// names its source in "sources".
func record(p *lockfile.Package, src string) *Record {
	r := &Record{OS: p.Platform.OS, CPU: p.Platform.CPU, Libc: p.Platform.Libc, HasInstallScript: p.HasInstallScript, License: p.License}
	if !idNamesPackage(p) {
		r.Name, r.Version = &p.Name, &p.Version
	}
	if !derivablePname(p.Name) {
		r.Pname = nixexpr.DrvName(p.Name, "package")
	}
	if v := nixexpr.DrvName(p.Version, "0"); v != p.Version {
		r.DrvVersion = v
	}
	if kind := recordKind(p.Source); kind != lockfile.Tarball {
		r.Source = kind.String()
	}
	switch {
	case p.Source.Fetchable():
		if src != p.ID {
			r.Src = src
		}
		r.GitDir = p.Source.Dir
	case p.Source.Local():
		r.Path = p.Source.Path
	}
	if len(p.Installs) > 0 {
		r.Installs = make(map[string][]string, len(p.Installs))
		for _, in := range p.Installs {
			r.Installs[in.Path] = append([]string{}, in.Flags.Names()...)
		}
	}
	if len(p.Bins) > 0 {
		r.Bins = make(map[string]string, len(p.Bins))
		for _, b := range p.Bins {
			r.Bins[b.Name] = b.Path
		}
	}
	if len(p.Deps) > 0 {
		r.Deps = &Deps{
			Prod:         depNamesOf(nil, p.Deps, lockfile.DepProd),
			Dev:          depNamesOf(nil, p.Deps, lockfile.DepDev),
			Optional:     depNamesOf(nil, p.Deps, lockfile.DepOptional),
			Peer:         depNamesOf(nil, p.Deps, lockfile.DepPeer),
			PeerOptional: depNamesOf(nil, p.Deps, lockfile.DepPeerOptional),
		}
	}
	if node := nodeEngine(p); node != nil {
		r.Engines = &Engines{Node: make([][]string, len(node))}
		for i, alt := range node {
			r.Engines.Node[i] = []string{}
			for _, c := range alt {
				r.Engines.Node[i] = append(r.Engines.Node[i], c.Op+c.Version)
			}
		}
	}
	return r
}

// recordJSON is p's record as the data file writes it.
func recordJSON(p *lockfile.Package, src string) string {
	var w recordWriter
	w.record(p, src)
	return string(w.b)
}

// marshal is encoding/json's rendering of r, without HTML escaping: the
// definition recordWriter must follow.
func marshal(t testing.TB, r *Record) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// oddPackage has s in every string, installs and bins out of order and
// twice, a dependency of each kind and a node engine.
func oddPackage(s string) *lockfile.Package {
	return &lockfile.Package{
		ID: s, Name: s, Source: lockfile.Source{Kind: lockfile.Git, URL: s, Dir: s},
		Installs: []lockfile.Install{{Path: s}, {Path: "b", Flags: lockfile.FlagDev | lockfile.FlagPeer}, {Path: "a", Flags: lockfile.FlagOptional}, {Path: s, Flags: lockfile.FlagBundled}},
		Bins:     []lockfile.Bin{{Name: "z", Path: s}, {Name: s, Path: "a"}, {Name: "z", Path: "y"}},
		Deps: []lockfile.Edge{{Name: s, Kind: lockfile.DepProd}, {Name: s, Kind: lockfile.DepProd}, {Name: "a", Kind: lockfile.DepPeer},
			{Name: "b", Kind: lockfile.DepPeer}, {Name: s, Kind: lockfile.DepDev}, {Name: "a", Kind: lockfile.DepPeerOptional}, {Name: s, Kind: lockfile.DepOptional}},
		Platform: lockfile.Platform{OS: []string{"!win32"}, CPU: []string{s}, Libc: []string{"glibc", s}},
		Engines: []lockfile.Engine{{Name: "deno"}, {Name: "node", Versions: [][]lockfile.Comparison{
			{{Op: ">=", Version: "1.0.0"}, {Op: "<", Version: s}}, {}, nil}}},
		HasInstallScript: true, License: s,
	}
}

// TestRecordJSON checks the records' fast encoder against encoding/json
// on every package of the npm test projects and on records with every
// field set and strings JSON escapes.
func TestRecordJSON(t *testing.T) {
	var pkgs []*lockfile.Package
	dirs, _ := filepath.Glob("../../testdata/npm/*")
	dirs = append(dirs, "../../testdata/example")
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err != nil {
			continue
		}
		pkgs = append(pkgs, parseProject(t, dir).Packages...)
	}
	odd := "q\"b\\n\n\r\t\b\f\x01\x1f<>&\u2028\u2029é☃@"
	pkgs = append(pkgs, &lockfile.Package{}, oddPackage(odd), oddPackage(""),
		&lockfile.Package{ID: "a@1", Name: "a", Version: "1", Installs: []lockfile.Install{{Path: "node_modules/a", Flags: lockfile.FlagOptional}},
			Engines: []lockfile.Engine{{Name: "node", Versions: [][]lockfile.Comparison{}}}})
	for _, p := range pkgs {
		if got, want := recordJSON(p, "src-"+p.Name), marshal(t, record(p, "src-"+p.Name)); got != want {
			t.Errorf("the record writer differs from encoding/json:\n got %s\nwant %s", got, want)
		}
	}
	if len(pkgs) < 100 {
		t.Errorf("only %d records", len(pkgs))
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
		p := oddPackage(s)
		if got, want := recordJSON(p, s), marshal(t, record(p, s)); got != want {
			t.Errorf("%q: record writer %s, encoding/json %s", s, got, want)
		}
	})
}

// FuzzIsText holds isText, which checkRecord asks of every string, to
// its definition.
func FuzzIsText(f *testing.F) {
	for _, s := range []string{"", "a", "\x00", "abcdefgh", "abcdefg\x00", "abcdefgh\x00", "\x00bcdefghij", "é", "abcdefghé",
		"abcdefgh\xff", "\xe2\x80", "abcdefg\x01\x00", "\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f", "\x80abcdefgh", "node_modules/@aws-sdk/client-s3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
		if got := isText(s); got != want {
			t.Errorf("isText(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzPlainJSON holds plainJSON to its definition: every byte it passes
// over is one appendJSONText copies as it is, and it stops at most seven
// bytes before the first one that is not.
func FuzzPlainJSON(f *testing.F) {
	for _, s := range []string{"", "abcdefgh", "abcdefg\"", "\x1fbcdefgh", "node_modules/@aws-sdk/client-s3", "abcdefgh\\ijklmnop", "abc\u2028defgh", "\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f!", " !#$%&'()*+,-./0123456789:;<=>?@[]^_`{|}~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain := 0
		for plain < len(s) && s[plain] >= 0x20 && s[plain] < 0x80 && s[plain] != '"' && s[plain] != '\\' {
			plain++
		}
		if n := plainJSON(s); n%8 != 0 || n > plain || plain-n >= 8 && len(s)-n >= 8 {
			t.Errorf("plainJSON(%q) = %d, %d plain bytes", s, n, plain)
		}
	})
}
