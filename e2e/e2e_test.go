// Package e2e holds end-to-end checks that build generated Nix with real
// Nix and compare the result with what the package manager itself makes.
package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNpm runs npm.sh on every npm test project: the node_modules tree
// Nix builds must equal npm ci's, and the top-level dependencies must
// load.
func TestNpm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with Nix and fetches from the registry")
	}
	for _, tool := range []string{"nix-build", "npm", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	projects, _ := filepath.Glob("../testdata/npm/*/package-lock.json")
	projects = append(projects, "../testdata/example/package-lock.json")
	for _, lock := range projects {
		dir := filepath.Dir(lock)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			out, err := exec.Command("bash", "npm.sh", dir).CombinedOutput()
			t.Logf("%s", strings.TrimSpace(string(out)))
			if err != nil {
				t.Fatalf("e2e/npm.sh %s: %v", dir, err)
			}
		})
	}
}
