package nixexpr

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`a"b`, `"a\"b"`},
		{`back\slash`, `"back\\slash"`},
		{"${inject}", `"\${inject}"`},
		{"$notinterp $", `"$notinterp $"`},
		{"$${x}", `"$\${x}"`},
		{"''", `"''"`},
		{"line\nbreak\r\ttab", `"line\nbreak\r\ttab"`},
		{`\q`, `"\\q"`},
		{"ünïcode", `"ünïcode"`},
	}
	for _, tt := range tests {
		got, err := Quote(tt.in)
		if err != nil {
			t.Errorf("Quote(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if _, err := Quote("a\x00b"); err == nil || !strings.Contains(err.Error(), "NUL") {
		t.Errorf("Quote with NUL: error %v, want one naming NUL", err)
	}
}

func TestAttrName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"lodash", "lodash"},
		{"is-number", "is-number"},
		{"a_b'c", "a_b'c"},
		{"_x", "_x"},
		{"lodash.merge", `"lodash.merge"`},
		{"@babel/core", `"@babel/core"`},
		{"node_modules/a", `"node_modules/a"`},
		{"1abc", `"1abc"`},
		{"-x", `"-x"`},
		{"or", `"or"`},
		{"inherit", `"inherit"`},
		{"", `""`},
		{"${x}", `"\${x}"`},
	}
	for _, tt := range tests {
		got, err := AttrName(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("AttrName(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func attr(name string, v Expr) Binding { return Attr{Path: []string{name}, Value: v} }

// lines is a Lines of ls, each yielded from the same buffer.
func lines(ls ...string) Lines {
	return Lines{Each: func(yield func([]byte) bool) {
		var b []byte
		for _, l := range ls {
			if !yield(append(b[:0], l...)) {
				return
			}
		}
	}}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		in   Expr
		want string
	}{
		{"empty set", AttrSet{}, "{ }"},
		{"empty list", List{}, "[ ]"},
		{"one-item list", List{Items: []Expr{String{"a"}}}, `[ "a" ]`},
		{"list", List{Items: []Expr{String{"a"}, Int{1}}}, "[\n  \"a\"\n  1\n]"},
		{"set", AttrSet{Bindings: []Binding{attr("a", Int{1}), attr("b c", Bool{true})}}, "{\n  a = 1;\n  \"b c\" = true;\n}"},
		{"nested set expands", AttrSet{Bindings: []Binding{attr("a", AttrSet{Bindings: []Binding{attr("b", Null{})}})}},
			"{\n  a = {\n    b = null;\n  };\n}"},
		{"rec", AttrSet{Rec: true, Bindings: []Binding{attr("a", Int{1})}}, "rec {\n  a = 1;\n}"},
		{"two formals", Func{Formals: []Formal{{Name: "lib"}, {Name: "fetchurl"}}, Body: Ident{"lib"}}, "{ lib, fetchurl }:\nlib"},
		{"formals with default", Func{Formals: []Formal{{Name: "lib"}, {Name: "src", Default: Null{}}}, Ellipsis: true, Body: Ident{"src"}},
			"{\n  lib,\n  src ? null,\n  ...\n}:\nsrc"},
		{"lambda", Func{Param: "x", Body: Ident{"x"}}, "x: x"},
		{"let", Let{Bindings: []Binding{attr("a", Int{1})}, Body: Ident{"a"}}, "let\n  a = 1;\nin\na"},
		{"call hugs its set", Apply{Func: Ident{"fetchurl"}, Args: []Expr{AttrSet{Bindings: []Binding{attr("url", String{"u"})}}}},
			"fetchurl {\n  url = \"u\";\n}"},
		{"call args parenthesised", Apply{Func: Ident{"f"}, Args: []Expr{Apply{Func: Ident{"g"}, Args: []Expr{Int{1}}}, Ident{"x"}}}, "f (g 1) x"},
		{"select", Select{Expr: Ident{"sources"}, Attrs: []string{"@a/b@1.0.0", "x"}}, `sources."@a/b@1.0.0".x`},
		{"select default", Select{Expr: Ident{"a"}, Attrs: []string{"b"}, Default: Int{0}}, "a.b or 0"},
		{"inherit", AttrSet{Bindings: []Binding{Inherit{Names: []string{"a", "b"}}, Inherit{From: Ident{"x"}, Names: []string{"c"}}}},
			"{\n  inherit a b;\n  inherit (x) c;\n}"},
		{"binop", BinOp{Op: "//", Left: Ident{"a"}, Right: BinOp{Op: "+", Left: Int{1}, Right: Int{2}}}, "a // (1 + 2)"},
		{"comment", AttrSet{Bindings: []Binding{Attr{Path: []string{"a"}, Value: Int{1}, Comment: "why"}}}, "{\n  # why\n  a = 1;\n}"},
		{"raw reindented", AttrSet{Bindings: []Binding{attr("f", Raw{Text: "x:\nif x then\n  1\nelse\n  2"})}},
			"{\n  f =\n    x:\n    if x then\n      1\n    else\n      2;\n}"},
		{"long string stays on its line", AttrSet{Bindings: []Binding{attr("hash", String{strings.Repeat("x", 120)})}},
			"{\n  hash = \"" + strings.Repeat("x", 120) + "\";\n}"},
		{"lines print as the same text in a String", AttrSet{Bindings: []Binding{attr("a", lines("{", "", "  '' ${x}", "}")), attr("b", String{"{\n\n  '' ${x}\n}\n"})}},
			"{\n  a = ''\n    {\n\n      ''' ''${x}\n    }\n  '';\n  b = ''\n    {\n\n      ''' ''${x}\n    }\n  '';\n}"},
	}
	for _, tt := range tests {
		got, err := Format(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, string(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestFormatErrors(t *testing.T) {
	tests := []struct {
		name string
		in   Expr
		want string
	}{
		{"NUL in string", String{"a\x00"}, "NUL"},
		{"NUL in attribute name", AttrSet{Bindings: []Binding{attr("a\x00", Int{1})}}, "NUL"},
		{"bad identifier", Ident{"a b"}, "not a valid identifier"},
		{"bad path", Path{"./a b"}, "not a valid path literal"},
		{"newline in a line", lines("a", "b\nc"), "indented string"},
		{"carriage return in a line", lines("a", "b\r"), "indented string"},
		{"NUL in a line", lines("a\x00"), "indented string"},
		{"blank line", lines("a", "  "), "indented string"},
		{"tab first", lines("a", "\tb"), "indented string"},
		{"no line at the left edge", lines(" a", " b"), "left edge"},
		{"no line", lines(), "left edge"},
	}
	for _, tt := range tests {
		if _, err := Format(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// hostile strings that must survive printing and evaluation unchanged.
var hostile = []string{
	`"`, `\`, `${builtins.abort "x"}`, `''`, "'''", "a\nb", "\r\t", `$`, `$$`, `\${`, `''${x}`,
	`\n`, `\q`, "end\\", "ünï", `"; x = "`, "#{", "/*", "*/",
	"two\nlines\n", "''\n${x}\n'''\n", "  indented\n  all\n", "a\n  b\n\nc\n", "a\n \nb\n", "\ta\nb\n", "x\n''${y}\n$\n\\n\n",
	// A quote just before an escaped ${ or '' must not join the escape.
	"a'${builtins.abort \"x\"}\nb\n", "'''${x}\n'\n", "x'\n'${y}'\n", "a'''b\n''''\n", "'${x}'''${y}''${z}\n$\n",
}

// TestHostileRoundTrip prints strings and attribute names full of Nix
// syntax and checks with real Nix that they evaluate to themselves.
func TestHostileRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
	var list []Expr
	var binds []Binding
	for i, s := range hostile {
		list = append(list, String{s})
		binds = append(binds, attr(s, Int{int64(i)}))
	}
	var values []Binding
	for i, s := range hostile {
		values = append(values, attr(fmt.Sprintf("v%02d", i), String{s}))
	}
	// The hostile strings' lines, each a line of one Lines.
	var ls []string
	for _, s := range hostile {
		for l := range strings.SplitSeq(s, "\n") {
			if strings.TrimLeft(l, " ") != "" && !strings.ContainsAny(l, "\r\t") {
				ls = append(ls, l)
			}
		}
	}
	tree := AttrSet{Bindings: []Binding{attr("strings", List{Items: list}), attr("names", AttrSet{Bindings: binds}), attr("values", AttrSet{Bindings: values}),
		attr("lines", lines(ls...))}}
	src, err := Format(tree)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", string(src)).CombinedOutput()
	if err != nil {
		t.Fatalf("nix-instantiate: %v\n%s\n%s", err, out, src)
	}
	var got struct {
		Strings []string
		Names   map[string]int
		Values  map[string]string
		Lines   string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(ls, "\n") + "\n"; got.Lines != want {
		t.Errorf("lines: got %q, want %q", got.Lines, want)
	}
	if diff := cmp.Diff(hostile, got.Strings); diff != "" {
		t.Errorf("strings (-want +got):\n%s", diff)
	}
	wantNames := map[string]int{}
	for i, s := range hostile {
		wantNames[s] = i
	}
	wantValues := map[string]string{}
	for i, s := range hostile {
		wantValues[fmt.Sprintf("v%02d", i)] = s
	}
	if diff := cmp.Diff(wantValues, got.Values); diff != "" {
		t.Errorf("binding values, some printed as indented strings (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(src), "= ''\n") {
		t.Error("no value was printed as an indented string")
	}
	if diff := cmp.Diff(wantNames, got.Names); diff != "" {
		t.Errorf("attribute names (-want +got):\n%s", diff)
	}
}

// FuzzQuote checks that every string without NUL prints to a literal that
// reads back to itself.
func FuzzQuote(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Quote(s)
		if strings.IndexByte(s, 0) >= 0 {
			if err == nil {
				t.Fatal("NUL accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := unquote(t, q); got != s {
			t.Fatalf("Quote(%q) = %s reads back as %q", s, q, got)
		}
	})
}

// unquote reads a Nix double-quoted string the way Nix's lexer does.
func unquote(t *testing.T, q string) string {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		t.Fatalf("not quoted: %s", q)
	}
	body := q[1 : len(q)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			i++
			switch body[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(body[i])
			}
		case c == '\\':
			t.Fatalf("dangling backslash in %s", q)
		case c == '"':
			t.Fatalf("unescaped quote in %s", q)
		case c == '$' && i+1 < len(body) && body[i+1] == '{':
			t.Fatalf("interpolation in %s", q)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FuzzEscapeIndented checks escapeIndented against a reading of an
// indented string's text the way Nix's lexer reads it (a ${ that is not
// escaped is an interpolation: lockfile text must never make one).
func FuzzEscapeIndented(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escapeIndented(s)
		if got := unindent(t, e); got != s {
			t.Fatalf("escapeIndented(%q) = %q reads back as %q", s, e, got)
		}
	})
}

// unindent reads the text of an indented string (its body, without the
// quotes around it) as Nix's lexer does; it fails on an interpolation or
// on two quotes that would end the string.
func unindent(t *testing.T, e string) string {
	var b strings.Builder
	for i := 0; i < len(e); {
		switch {
		case strings.HasPrefix(e[i:], "'''"):
			b.WriteString("''")
			i += 3
		case strings.HasPrefix(e[i:], "''$"):
			b.WriteByte('$')
			i += 3
		case strings.HasPrefix(e[i:], "''\\") && i+3 < len(e):
			switch c := e[i+3]; c {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(c)
			}
			i += 4
		case strings.HasPrefix(e[i:], "''"):
			t.Fatalf("%q: '' ends the string at %d", e, i)
		case strings.HasPrefix(e[i:], "${"):
			t.Fatalf("%q: an interpolation at %d", e, i)
		default:
			b.WriteByte(e[i])
			i++
		}
	}
	return b.String()
}

// TestSourceSet: Sources.Data's set prints as the tree it stands for
// would, for every kind of source and hostile names and URLs, empty too.
func TestSourceSet(t *testing.T) {
	h, err := lockfile.ParseIntegrity("sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==")
	if err != nil {
		t.Fatal(err)
	}
	full := NewSources(0)
	for i, s := range append([]string{"a@1.0.0", "https://r.test/a/-/a-1.0.0.tgz"}, hostile...) {
		full.Add(s, lockfile.Source{Kind: lockfile.Tarball, URL: "https://r.test/" + s, Hash: h})
		full.Add(s+"#", lockfile.Source{Kind: lockfile.Tarball, URL: s})
		full.Add(fmt.Sprint(i), lockfile.Source{Kind: lockfile.Git, URL: s, Rev: s})
		full.Add(s+"?", lockfile.Source{Kind: lockfile.Tarball, URL: "https://r.test/x.tgz?" + s, Hash: h})
		// A GitHub archive, fetched unpacked: never a name (fetchzip's
		// is "source"), however odd its URL.
		full.Add(s+"!", lockfile.Source{Kind: lockfile.Tarball, URL: "https://r.test/x.tgz?" + s, Hash: h, Repo: "https://github.com/o/r.git", Rev: s})
	}
	for _, s := range []*Sources{NewSources(0), full} {
		for _, shape := range []func(Expr) Expr{
			func(e Expr) Expr { return e },
			func(e Expr) Expr { return AttrSet{Bindings: []Binding{attr("sources", e), attr("x", Int{1})}} },
			func(e Expr) Expr { return List{Items: []Expr{e}} },
		} {
			got, err := Format(shape(s.Data()))
			if err != nil {
				t.Fatal(err)
			}
			want, err := Format(shape(s.dataSet()))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%d sources (-tree +set):\n%s", len(s.added), diff)
			}
		}
	}
	if _, err := Format(NewSources(0).Data()); err != nil {
		t.Error(err)
	}
}

// FuzzPlainQuote holds plainQuote, which lets appendQuote copy eight
// bytes at a time, to its definition: every byte it passes over is one
// appendQuote copies as it is, and it stops at most seven bytes before
// the first one that is not. So appendQuote writes what it wrote byte by
// byte.
func FuzzPlainQuote(f *testing.F) {
	for _, s := range append([]string{"abcdefgh", "abcdefg$", "abcdefgh${x}", "https://registry.npm.test/@s/p/-/p-1.0.0.tgz", "\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f!"}, hostile...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain := 0
		for plain < len(s) && s[plain] >= 0x20 && s[plain] < 0x80 && !quoteEscapes[s[plain]] {
			plain++
		}
		if n := plainQuote(s); n%8 != 0 || n > plain || plain-n >= 8 && len(s)-n >= 8 {
			t.Errorf("plainQuote(%q) = %d, %d plain bytes", s, n, plain)
		}
		if n, m := plainQuote(s), plainQuote([]byte(s)); n != m {
			t.Errorf("plainQuote(%q) = %d, of its bytes %d", s, n, m)
		}
	})
}
