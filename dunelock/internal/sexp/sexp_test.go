package sexp

import (
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"atoms and lists", "(version 5.2.0) (depends a b)", "(version 5.2.0)|(depends a b)"},
		{"comments", "; line\n(a #| block\n|# b #;(dropped x) c) ; end", "(a b c)"},
		{"escapes", `("a\"b\\c\n\t\065\x41\%{x}")`, `("a\"b\\c\n\tAA\%{x}")`},
		{"template in atom", "(run %{make} -j%{jobs})", "(run %{make} -j%{jobs})"},
		{"template in string", `("%{pkg:ocaml:lib}/x")`, `("%{pkg:ocaml:lib}/x")`},
		{"backslash newline", "(\"a\\\n    b\")", `("ab")`},
		{"block string", "(system \"\\| echo A\n        \"\\| echo %{x}\n)", `(system "echo A\necho %{x}")`},
		{"raw block string", "(system \"\\> raw %{x} \\n\n)", `(system "raw \%{x} \\n")`},
		{"empty string", `("")`, `("")`},
		{"percent alone", "(a 50%)", "(a 50%)"},
	}
	for _, tt := range tests {
		nodes, err := Parse("f", []byte(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var got []string
		for _, n := range nodes {
			got = append(got, n.String())
		}
		if diff := cmp.Diff(tt.want, strings.Join(got, "|")); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestPositions(t *testing.T) {
	nodes, err := Parse("f", []byte("(a\n  (b \"c\"))"))
	if err != nil {
		t.Fatal(err)
	}
	b := nodes[0].List[1]
	got := []Pos{nodes[0].Pos, nodes[0].List[0].Pos, b.Pos, b.List[1].Pos}
	want := []Pos{{1, 1}, {1, 2}, {2, 3}, {2, 6}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
	if s, ok := b.List[1].Text(); !ok || s != "c" {
		t.Errorf("Text = %q, %v", s, ok)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"(a (b)", "f:1:1: unclosed parenthesis: want )"},
		{"(a))", "f:1:4: unexpected ): no list is open"},
		{`("abc`, `f:1:2: unterminated string: want "`},
		{`("\q")`, `f:1:3: unknown escape \q in a string`},
		{`("\999")`, `f:1:3: invalid escape \999: over 255`},
		{`("\xZZ")`, `f:1:3: invalid escape \xZZ: want two hexadecimal digits`},
		{"(a %{x)", "f:1:4: unterminated %{: want }"},
		{"(a %{pkg:})", "f:1:4: variable %{pkg:} has an empty payload"},
		{"(a \xc3\xa9)", "f:1:4: non-ASCII byte 0xc3 outside a quoted string"},
		{"#| never closed", "f:1:1: unterminated block comment: want |#"},
	}
	for _, tt := range tests {
		_, err := Parse("f", []byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error = %v, want %s", tt.in, err, tt.want)
		}
	}
}

// TestDeepNesting reads lists and #; comments nested a million deep, with
// the stack limited to 8 MB: an unbounded recursion dies of a stack
// overflow there, a bounded one stops at the 1001st level.
func TestDeepNesting(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(8 << 20))
	const n = 1 << 20
	tests := []struct{ name, in, want string }{
		{"lists", strings.Repeat("(", n) + strings.Repeat(")", n), "f:1:1001: lists and #; comments nested more than 1000 deep"},
		{"#; comments", strings.Repeat("#;", n) + "a", "f:1:2001: lists and #; comments nested more than 1000 deep"},
		{"#; in lists", strings.Repeat("(#;", n), "f:1:1501: lists and #; comments nested more than 1000 deep"},
		{"at the limit", strings.Repeat("(", 1000) + strings.Repeat(")", 1000) + strings.Repeat("#;", 1000) + strings.Repeat("a ", 1000), ""},
	}
	for _, tt := range tests {
		_, err := Parse("f", []byte(tt.in))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: error = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzParse: any input gives nodes or an error with a position, never a
// panic, and printed nodes parse again to the same text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"(version 1.0)", `(a "b\n%{c}" (d))`, "; x\n(a #| b |# c)", "(system \"\\| a\n\"\\> b\n)", `("\%{x}")`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nodes, err := Parse("f", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f:") {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		var printed []string
		for _, n := range nodes {
			printed = append(printed, n.String())
		}
		again, err := Parse("f", []byte(strings.Join(printed, "\n")))
		if err != nil {
			t.Fatalf("printed nodes do not parse: %v\n%s", err, strings.Join(printed, "\n"))
		}
		for i, n := range again {
			if n.String() != printed[i] {
				t.Fatalf("round trip changed %s into %s", printed[i], n.String())
			}
		}
	})
}

// TestQuotedFastPath: a string without escapes, read as it stands, must
// come out as the same string read through the escape decoder (its first
// byte written as a decimal escape).
func TestQuotedFastPath(t *testing.T) {
	for _, s := range []string{"a", "hello world", "%{pkg:x:version}/lib", "pre%{a}mid%{b}", "multi\nline", "100%", "%{", "x%{y"} {
		fast, fastErr := Parse("f", []byte(`"`+s+`"`))
		slow, slowErr := Parse("f", []byte(fmt.Sprintf(`"\%03d%s"`, s[0], s[1:])))
		if (fastErr == nil) != (slowErr == nil) {
			t.Errorf("%q: errors differ: %v / %v", s, fastErr, slowErr)
			continue
		}
		if fastErr != nil {
			continue
		}
		if fast[0].String() != slow[0].String() {
			t.Errorf("%q: %s, through the decoder %s", s, fast[0], slow[0])
		}
	}
}
