package dunelock

import (
	"strings"
	"testing"
)

// TestMessagesStayOneLine puts hostile strings where the reader's
// messages quote them (a fetch URL of an unsupported scheme, a version in
// the duplicate-version error): each message stays one line, with the
// string escaped. The lock writes them with OCaml's escapes.
func TestMessagesStayOneLine(t *testing.T) {
	for _, h := range []struct{ name, dune, escaped string }{
		{"newline forging a message", `x\nerror: forged`, `x\nerror: forged`},
		{"carriage return", `x\rerror: forged`, `x\rerror: forged`},
		{"terminal escape", `x\027[31mred`, `x\x1b[31mred`},
	} {
		t.Run(h.name, func(t *testing.T) {
			_, err := ParseFS(lockFS(map[string]string{
				"a.pkg": `(version 1.0)
(source (fetch (url "ftp://` + h.dune + `")))`,
				"b.pkg":     `(version "` + h.dune + `")`,
				"b.2.0.pkg": `(version "` + h.dune + `")`,
			}), DefaultDir, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if n := strings.Count(msg, "\n") + 1; n != 2 {
				t.Errorf("%d lines, want 2:\n%s", n, msg)
			}
			if strings.ContainsFunc(msg, func(r rune) bool { return r != '\n' && (r < ' ' || r == 0x7f) }) {
				t.Errorf("the error holds a control character: %q", msg)
			}
			for _, want := range []string{"unsupported URL scheme in ftp://" + h.escaped + ":", "holds version " + h.escaped + " of b,"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q, want it to show %q", msg, want)
				}
			}
		})
	}
}
