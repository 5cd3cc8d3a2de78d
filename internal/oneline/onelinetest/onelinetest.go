// Package onelinetest holds what the readers' tests share to show that a
// string from a lockfile cannot forge a line of lock2nix's messages.
package onelinetest

import (
	"strings"
	"testing"
)

// Hostile are strings a lockfile may hold where a message quotes it, and
// the form the message must show them in.
var Hostile = []struct{ Name, Value, Escaped string }{
	{"newline forging a message", "x\nerror: forged", `x\nerror: forged`},
	{"carriage return", "x\rerror: forged", `x\rerror: forged`},
	{"terminal escape", "x\x1b[31mred", `x\x1b[31mred`},
}

// Check fails unless msg is lines messages, none holding a control
// character, and shows want.
func Check(t testing.TB, what, msg string, lines int, want string) {
	t.Helper()
	if n := strings.Count(msg, "\n") + 1; n != lines {
		t.Errorf("%s: %d lines, want %d:\n%s", what, n, lines, msg)
	}
	if strings.ContainsFunc(msg, func(r rune) bool { return r != '\n' && (r < ' ' || r == 0x7f) }) {
		t.Errorf("%s holds a control character: %q", what, msg)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("%s = %q, want it to show %q", what, msg, want)
	}
}
