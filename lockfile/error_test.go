package lockfile

import (
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/oneline/onelinetest"
)

// TestErrorOneLine: whatever the lockfile put in the file name or the
// message, Error is one line of printable text, and shows the escaped
// form; an ordinary message is unchanged.
func TestErrorOneLine(t *testing.T) {
	for _, h := range onelinetest.Hostile {
		t.Run(h.Name, func(t *testing.T) {
			for _, tc := range []struct {
				err  *Error
				want string
			}{
				{&Error{File: "package-lock.json", Line: 3, Col: 5, Msg: "entry " + h.Value + " has no version"}, "package-lock.json:3:5: entry " + h.Escaped + " has no version"},
				{&Error{File: "w/" + h.Value + "/package.json", Msg: "not valid JSON"}, "w/" + h.Escaped + "/package.json: not valid JSON"},
				{Pos{File: "yarn.lock", Line: 1, Col: 1}.Errorf("resolution %s: bad", h.Value), "yarn.lock:1:1: resolution " + h.Escaped + ": bad"},
			} {
				got := tc.err.Error()
				if got != tc.want {
					t.Errorf("Error() = %q, want %q", got, tc.want)
				}
				if strings.ContainsFunc(got, func(r rune) bool { return r < ' ' || r == 0x7f }) {
					t.Errorf("Error() = %q holds a control character", got)
				}
			}
		})
	}
	plain := &Error{File: "package-lock.json", Line: 3, Col: 5, Msg: `packages key "a" appears twice`}
	if got, want := plain.Error(), `package-lock.json:3:5: packages key "a" appears twice`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
