package npmlock

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/tidwall/gjson"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*.txtar")

// TestParse runs the cases in testdata/*.txtar. Each holds a
// package-lock.json, optionally a package.json and an "options" file
// (registry URL and replace-host on two lines), and "want": the warnings,
// then the graph as dump prints it, or the error.
func TestParse(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sections := map[string][]byte{}
			for _, f := range ar.Files {
				sections[f.Name] = f.Data
			}
			var opts Options
			if o, ok := sections["options"]; ok {
				lines := strings.Split(strings.TrimSpace(string(o)), "\n")
				opts.Registry.URL = lines[0]
				if len(lines) > 1 {
					opts.Registry.ReplaceHost = lines[1]
				}
			}
			_, opts.AllowOutOfSync = sections["allow-out-of-sync"]
			lock, ok := sections["package-lock.json"]
			if !ok {
				t.Fatal("no package-lock.json section")
			}
			var got string
			opts.Warn = func(msg string) { got += "warning: " + msg + "\n" }
			g, err := Parse("package-lock.json", string(lock), sections["package.json"], opts)
			if err != nil {
				got += "error: " + err.Error() + "\n"
			} else {
				got += dump(g)
			}
			if *update {
				for i := range ar.Files {
					if ar.Files[i].Name == "want" {
						ar.Files[i].Data = []byte(got)
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(sections["want"]), got); diff != "" {
				t.Errorf("graph (-want +got):\n%s", diff)
			}
		})
	}
}

// dump prints a graph one fact per line, for comparison with test cases.
func dump(g *lockfile.Graph) string {
	var b strings.Builder
	fmt.Fprintf(&b, "root %s@%s\n", g.Root.Name, g.Root.Version)
	for _, e := range g.Root.Deps {
		fmt.Fprintf(&b, "  dep %s %s %q\n", e.Kind, e.Name, e.Spec)
	}
	for _, w := range g.Root.Workspaces {
		fmt.Fprintf(&b, "  workspace %s\n", w)
	}
	for _, p := range g.Packages {
		fmt.Fprintf(&b, "pkg %s name=%q version=%q\n", p.ID, p.Name, p.Version)
		s := p.Source
		fmt.Fprintf(&b, "  source %s", s.Kind)
		for _, f := range []string{s.URL, s.Repo, s.Rev, s.Path, s.Hash.String()} {
			if f != "" {
				fmt.Fprintf(&b, " %s", f)
			}
		}
		b.WriteString("\n")
		for _, in := range p.Installs {
			fmt.Fprintf(&b, "  install %s %v\n", in.Path, in.Flags.Names())
		}
		for _, e := range p.Deps {
			fmt.Fprintf(&b, "  dep %s %s %q\n", e.Kind, e.Name, e.Spec)
		}
		for _, bin := range p.Bins {
			fmt.Fprintf(&b, "  bin %s -> %s\n", bin.Name, bin.Path)
		}
		if !p.Platform.IsZero() {
			fmt.Fprintf(&b, "  platform os=%v cpu=%v libc=%v\n", p.Platform.OS, p.Platform.CPU, p.Platform.Libc)
		}
		for _, e := range p.Engines {
			fmt.Fprintf(&b, "  engine %s %q %v\n", e.Name, e.Range, e.Versions)
		}
		if p.HasInstallScript {
			b.WriteString("  install-script\n")
		}
		if p.License != "" {
			fmt.Fprintf(&b, "  license %s\n", p.License)
		}
	}
	return b.String()
}

// TestPlainHTTPURL checks the fast path against url.Parse: whatever it
// accepts, parseTarballURL's full check accepts too.
func TestPlainHTTPURL(t *testing.T) {
	for _, raw := range []string{
		"https://registry.npm.test/ms/-/ms-2.1.3.tgz",
		"http://registry.npm.test/@s/x/-/x-1.0.0.tgz",
		"https://h/",
		"https://h",
		"https://@/x",
		"https://u@h/x",
		"https:///x",
		"https://h:8080/x",
		"https://h/a%2fb",
		"https://h/a b",
		"ftp://h/x",
		"https://h/x?y=1",
	} {
		fast := plainHTTPURL(raw)
		u, err := url.Parse(raw)
		full := err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
		if fast && !full {
			t.Errorf("plainHTTPURL(%q) = true, but url.Parse rejects it", raw)
		}
	}
	if !plainHTTPURL("https://registry.npm.test/@s/x/-/x-1.0.0.tgz") {
		t.Error("a scoped registry URL misses the fast path")
	}
}

// TestSharedLocation: entries are one package only when name, version and
// source all agree, even where two artifacts claim one URL.
func TestSharedLocation(t *testing.T) {
	lock := `{"lockfileVersion": 3, "packages": {
  "": {"name": "root"},
  "node_modules/a": {"version": "1.0.0", "resolved": "https://registry.npm.test/x.tgz"},
  "node_modules/b/node_modules/a": {"version": "1.0.0", "resolved": "https://registry.npm.test/x.tgz"},
  "node_modules/b": {"version": "2.0.0", "resolved": "https://registry.npm.test/x.tgz"},
  "node_modules/c": {"name": "a", "version": "1.0.1", "resolved": "https://registry.npm.test/x.tgz"},
  "node_modules/d": {"name": "b", "version": "2.0.0", "resolved": "https://registry.npm.test/x.tgz"}
}}`
	g, err := Parse("package-lock.json", lock, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, p := range g.Packages {
		for _, in := range p.Installs {
			got[p.Name+"@"+p.Version] = append(got[p.Name+"@"+p.Version], in.Path)
		}
	}
	want := map[string][]string{
		"a@1.0.0": {"node_modules/a", "node_modules/b/node_modules/a"},
		"a@1.0.1": {"node_modules/c"},
		"b@2.0.0": {"node_modules/b", "node_modules/d"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("packages by install (-want +got):\n%s", diff)
	}
}

// TestPosMatchesPosition: the places pos finds, going on from the last
// one, are those lockfile.Position counts from the start, in any order.
func TestPosMatchesPosition(t *testing.T) {
	data := "{\n  \"a\": 1,\n  \"bé\": {\"c\": 2},\n\n  \"d\": [3, 4]\n}"
	p := &parser{file: "f", data: data}
	root := gjson.Parse(data)
	var rs []gjson.Result
	root.ForEach(func(k, v gjson.Result) bool { rs = append(rs, k, v); return true })
	for _, order := range [][]int{{0, 1, 2, 3, 4, 5}, {5, 0, 3, 3, 1}} {
		p.lastPos = place{}
		for _, i := range order {
			line, col := lockfile.Position([]byte(data), rs[i].Index)
			if l, c := position(data, rs[i].Index); l != line || c != col {
				t.Errorf("value %d (%s): position = %d:%d, want %d:%d", i, rs[i].Raw, l, c, line, col)
			}
			if got, want := p.pos(rs[i]), (lockfile.Pos{File: "f", Line: line, Col: col}); got != want {
				t.Errorf("value %d (%s): pos = %+v, want %+v", i, rs[i].Raw, got, want)
			}
		}
	}
}

// TestIsEmptyObject: read off the text, the verdict is gjson's, member by
// member.
func TestIsEmptyObject(t *testing.T) {
	doc := `{"a": {}, "b": { 
	 }, "c": [], "d": {"x": 1}, "e": [1], "f": "s", "g": 0, "h": {"": {}}}`
	gjson.Parse(doc).ForEach(func(k, v gjson.Result) bool {
		want := true
		v.ForEach(func(_, _ gjson.Result) bool { want = false; return false })
		if got := isEmptyObject(v); got != want {
			t.Errorf("%s (%s): isEmptyObject = %v, want %v", k.Str, v.Raw, got, want)
		}
		return true
	})
	if !isEmptyObject(gjson.Result{}) {
		t.Error("a missing value: isEmptyObject = false, want true (nothing in it)")
	}
}

// TestParseIntegrityShortcut holds parseIntegrity to
// lockfile.ParseIntegrity, which it reads one digest without.
func TestParseIntegrityShortcut(t *testing.T) {
	for _, s := range []string{
		"sha512-" + strings.Repeat("A", 86) + "==", "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
		"sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk= sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		" sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=", "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=\u00a0", "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=\x7f",
		"sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=?opt", "", " ", "md5-x", "sha512", "nope-AAAA", "sha1-\x01",
	} {
		wantH, wantErr := lockfile.ParseIntegrity(s)
		gotH, gotErr := parseIntegrity(s)
		if diff := cmp.Diff(fmt.Sprint(wantH, wantErr), fmt.Sprint(gotH, gotErr)); diff != "" {
			t.Errorf("parseIntegrity(%q) (-lockfile.ParseIntegrity +got):\n%s", s, diff)
		}
	}
}

// TestIntern checks that intern gives back each string's value, the same
// copy for a string seen before, and a copy of its own once its block is
// full or for a long string.
func TestIntern(t *testing.T) {
	var tab strtab
	text := strings.Repeat("x", 100)
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	a, b := tab.intern(text[:10]), tab.intern(strings.Clone(text[:10]))
	if a != text[:10] || !same(a, b) || same(a, text) {
		t.Errorf("intern(%q) twice: %q, %q, shared %v", text[:10], a, b, same(a, b))
	}
	if long := tab.intern(text); long != text || same(long, text) || same(long, tab.intern(text)) {
		t.Errorf("a long string: %q", long)
	}
	// Fill the block and the table: every string keeps its value.
	for i := range 20000 {
		s := fmt.Sprintf("name-%d-%s", i, text[:i%40])
		if got := tab.intern(s); got != s {
			t.Fatalf("intern(%q) = %q", s, got)
		}
	}
	if c := tab.intern(text[:10]); c != text[:10] || !same(a, c) {
		t.Errorf("intern(%q) after filling: %q, shared %v", text[:10], c, same(a, c))
	}
}

// TestKeyRuns holds keyRuns to a map on keys in order, in runs, and in
// no order at all (past maxRuns).
func TestKeyRuns(t *testing.T) {
	for _, keys := range [][]string{
		{"", "node_modules/a", "node_modules/b", "node_modules/a", "node_modules/c"},
		{"node_modules/string_decoder", "node_modules/string-width", "node_modules/string_decoder", "node_modules/z", "node_modules/string-width"},
		strings.Fields("k j i h g f e d c b a l m n o p q r s t u v w x y z a b z y x w v u t s r q p o n m"),
		strings.Fields("z y x w v u t s r q p o n m l k j i h g f e d c b a a m z 1 0 1 0"),
	} {
		var r keyRuns
		var order []*entry
		seen := map[string]bool{}
		for _, k := range keys {
			if got := r.has(order, k); got != seen[k] {
				t.Errorf("%q: has(%q) = %v, want %v", keys, k, got, seen[k])
			}
			if !seen[k] {
				seen[k] = true
				order = append(order, &entry{path: k})
				r.add(order)
			}
		}
	}
}

func TestNameFromPath(t *testing.T) {
	for key, want := range map[string]string{
		"node_modules/a":                    "a",
		"node_modules/@s/b":                 "@s/b",
		"node_modules/a/node_modules/@s/b":  "@s/b",
		"packages/x/node_modules/a":         "a",
		"packages/x":                        "x",
		"node_modules/a/b/c":                "a/b/c",
		"xnode_modules/a":                   "a",
		"node_modules/node_modules/a":       "a",
		"node_modules/a/node_modules":       "a/node_modules",
		"a/node_modules/":                   "",
		"node_modules":                      "node_modules",
		"":                                  ".",
		"/":                                 "/",
		"lib/node_modules/x/node_modules/y": "y",
	} {
		if got := nameFromPath(key); got != want {
			t.Errorf("nameFromPath(%q) = %q, want %q", key, got, want)
		}
	}
}
