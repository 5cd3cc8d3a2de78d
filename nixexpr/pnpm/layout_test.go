package pnpm

import (
	"os/exec"
	"testing"
)

// TestLayoutJS runs the layout program's own tests with node --test.
func TestLayoutJS(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	out, err := exec.Command("node", "--test", "layout_test.js").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test layout_test.js: %v\n%s", err, out)
	}
}
