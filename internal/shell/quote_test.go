package shell

import (
	"os/exec"
	"testing"
)

// TestQuote has bash read each quoted text back.
func TestQuote(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, s := range []string{"", "plain", "a b", "'", "''", `"$x"`, "$(id)", "`id`", "a\nb", "*", "~", "!x", `\`, "ünï", "a'b'c"} {
		for _, q := range []string{Quote(s), Word(s)} {
			out, err := exec.Command("bash", "-c", "printf %s "+q).Output()
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if string(out) != s {
				t.Errorf("%q read back as %q, want %q", q, out, s)
			}
		}
	}
	if got := Word("--registry=https://x.test/a"); got != "--registry=https://x.test/a" {
		t.Errorf("a plain word was quoted: %s", got)
	}
}
