package yarn

import (
	"os/exec"
	"testing"
)

// TestServerJS runs server.js's own tests (server.test.js) with node.
func TestServerJS(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	out, err := exec.Command("node", "--test", "server.test.js").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test server.test.js: %v\n%s", err, out)
	}
}
