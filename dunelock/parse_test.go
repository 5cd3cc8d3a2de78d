package dunelock

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func lockFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{"dune.lock/lock.dune": {Data: []byte("(lang package 0.1)\n(ocaml ocaml-base-compiler)\n")}}
	for name, data := range files {
		fsys["dune.lock/"+name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func TestParseFS(t *testing.T) {
	g, err := ParseFS(lockFS(map[string]string{
		"a.pkg": `(version 1.0)
(depends b dune)
(build (run make -j %{jobs}))
(source (fetch (url https://x.test/a.tgz) (checksum md5=d41d8cd98f00b204e9800998ecf8427e)))
(exported_env (+= PATH "\%{bin}%"))
(dev false)`,
		"b.2.0.pkg": `(version 2.0)
(source (fetch (url git+https://x.test/b.git#0123456789abcdef0123456789abcdef01234567)))
(dune)`,
	}), DefaultDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range g.Graph.Packages {
		line := fmt.Sprintf("%s %s %s %s %s", p.ID, p.Source.Kind, p.Source.URL, p.Source.Hash, p.Source.Rev)
		for _, d := range p.Deps {
			line += " dep:" + d.Name
		}
		for _, b := range g.Recipes[p.ID].Build {
			line += " build:" + b.Action.Kind.String()
		}
		for _, e := range g.Recipes[p.ID].Env {
			line += " env:" + e.Op.String() + e.Var + "=" + e.Value.Parts[0].Lit
		}
		got = append(got, strings.TrimSpace(line))
	}
	want := []string{
		"a.1.0 tarball https://x.test/a.tgz md5-1B2M2Y8AsgTpgAmY7PhCfg==  dep:b dep:dune build:run env:+=PATH=%{bin}%",
		"b.2.0 git https://x.test/b.git  0123456789abcdef0123456789abcdef01234567 build:dune",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if g.Compiler != "ocaml-base-compiler" {
		t.Errorf("compiler %q", g.Compiler)
	}
}

func TestActions(t *testing.T) {
	g, err := ParseFS(lockFS(map[string]string{"a.pkg": `(version 1)
(build
 (progn
  (withenv ((= A x) (=+= B y)) (system "true"))
  (when (or (not false) (= %{os} linux)) (patch p.diff))
  (substitute a.in a)
  (chdir sub (run (concat a b) (if (< %{arch} z) yes no) (has_undefined_var %{pkg:q:lib})))))`}), DefaultDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := g.Recipes[g.Graph.Packages[0].ID].Build[0].Action
	var ops []string
	var walk func(*Action)
	walk = func(a *Action) {
		ops = append(ops, a.Kind.String())
		for _, b := range a.Body {
			walk(b)
		}
	}
	walk(a)
	if diff := cmp.Diff([]string{"progn", "withenv", "system", "when", "patch", "substitute", "chdir", "run"}, ops); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	run := a.Body[3].Body[0]
	var terms []string
	for _, t := range run.Args {
		terms = append(terms, t.Form.String())
	}
	if diff := cmp.Diff([]string{"concat", "if", "has_undefined_var"}, terms); diff != "" {
		t.Errorf("terms (-want +got):\n%s", diff)
	}
}

// FuzzParseFS feeds arbitrary package files to the decoder: it must
// return a graph or an error naming the file, never panic.
func FuzzParseFS(f *testing.F) {
	for _, s := range []string{
		"(version 1)", "(version 1)(build (run a %{b}))", "(version 1)(depends (choice ((((os linux))) (a))))",
		"(version 1)(source (fetch (url https://x/y) (checksum sha256=00)))", `(version 1)(exported_env (= A "\%{x}%"))`,
		"(version 1)(build (all_platforms ((action (when (and_absorb_undefined_var true (= %{os} x)) (run y))))))",
		"(version 1)(build (with-accepted-exit-codes (not 0 1) (pipe-stdout (echo a) (run cat))))",
		"(version 1)(build (setenv A b (with-stdout-to %{null} (copy a b))))",
		"(version 1)(depexts (a b) ((c) (= %{os_family} nixos)))", "(version 1)(source (copy /abs))",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := lockFS(nil)
		fsys["dune.lock/a.pkg"] = &fstest.MapFile{Data: data}
		_, err := ParseFS(fsys, DefaultDir, Options{})
		if err != nil && !strings.HasPrefix(err.Error(), "dune.lock/") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

// TestDepexts reads the forms dune writes: bare names in a non-portable
// lock, and in a portable one entries of names that always apply or of
// names and a condition.
func TestDepexts(t *testing.T) {
	tests := []struct{ field, want string }{
		{`(depexts unzip gnupg)`, `[unzip gnupg]`},
		{`(depexts (unzip gnupg))`, `[unzip gnupg]`},
		{`(depexts (foo baz bar) ((foo-ubuntu bar-ubuntu) (= %{os_distribution} ubuntu)))`, `[foo baz bar] [foo-ubuntu bar-ubuntu] if =`},
		{`(depexts ((gmp) (= %{os_family} nixos)) ())`, `[gmp] if = []`},
	}
	for _, tt := range tests {
		l, err := ParseFS(lockFS(map[string]string{"a.pkg": "(version 1)\n" + tt.field}), DefaultDir, Options{})
		if err != nil {
			t.Errorf("%s: %v", tt.field, err)
			continue
		}
		var got []string
		for _, d := range l.Recipes["a.1"].Depexts {
			got = append(got, fmt.Sprint(d.Names))
			if d.Cond != nil {
				got = append(got, "if "+d.Cond.Op.String())
			}
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("%s: got %s, want %s", tt.field, s, tt.want)
		}
	}
}

// TestSources reads each source kind dune writes and where it is fetched
// from: git (git://, git+https://, pinned by the URL's commit or a pin),
// http(s), and local sources relative to the project.
func TestSources(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct{ source, want string }{
		{`(fetch (url git://x.test/a.git#` + commit + `))`, "git git://x.test/a.git " + commit},
		{`(fetch (url git://x.test/pinned.git))`, "git git://x.test/pinned.git " + commit},
		{`(fetch (url git+https://x.test/a.git#` + commit + `))`, "git https://x.test/a.git " + commit},
		{`(fetch (url https://x.test/a.tgz))`, "tarball https://x.test/a.tgz "},
		{`(fetch (url file://vendor/a.tar.gz) (checksum sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855))`, "local-tarball vendor/a.tar.gz "},
		{`(fetch (url file://vendor/a))`, "directory vendor/a "},
		{`(copy vendor/a)`, "directory vendor/a "},
	}
	for _, tt := range tests {
		l, err := ParseFS(lockFS(map[string]string{"a.pkg": "(version 1)\n(source " + tt.source + ")"}), DefaultDir, Options{Pins: map[string]string{"a": commit}})
		if err != nil {
			t.Errorf("%s: %v", tt.source, err)
			continue
		}
		s := l.Graph.Packages[0].Source
		if got := fmt.Sprintf("%s %s%s %s", s.Kind, s.URL, s.Path, s.Rev); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.source, got, tt.want)
		}
	}
}
