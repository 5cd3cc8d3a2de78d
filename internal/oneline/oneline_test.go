package oneline

import (
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "a@1.0.0: https://registry.npm.test/a/-/a-1.0.0.tgz", "a@1.0.0: https://registry.npm.test/a/-/a-1.0.0.tgz"},
		{"empty", "", ""},
		{"non-ASCII letters stay", "café → ✓ 日本", "café → ✓ 日本"},
		{"quoted stays", `name "a\nb" is bad`, `name "a\nb" is bad`},
		{"newline", "a\nerror: forged", `a\nerror: forged`},
		{"carriage return", "a\rb", `a\rb`},
		{"tab", "a\tb", `a\tb`},
		{"ANSI escape", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"DEL and C1", "a\x7fb\u0085c", `a\x7fb\u0085c`},
		{"line separator", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"bidi override", "a\u202eb", `a\u202eb`},
		{"invalid UTF-8", "a\xffb\xc3", `a\xffb\xc3`},
		{"NUL", "a\x00b", `a\x00b`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Escape(tc.in)
			if got != tc.want {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := Escape(got); again != got {
				t.Errorf("escaping twice gives %q, want %q", again, got)
			}
			for _, r := range got {
				if r < ' ' || r == 0x7f {
					t.Errorf("%q holds control character %U", got, r)
				}
			}
		})
	}
}

// An ordinary message comes back as the same string, unallocated.
func TestEscapePlainAllocatesNothing(t *testing.T) {
	s := strings.Repeat("package-lock.json:12:5: a@1.0.0 ", 10)
	if n := testing.AllocsPerRun(100, func() { Escape(s) }); n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}

func TestEscapeAll(t *testing.T) {
	got := EscapeAll([]string{"a", "b\nc"})
	if len(got) != 2 || got[0] != "a" || got[1] != `b\nc` {
		t.Errorf("EscapeAll = %q", got)
	}
}
