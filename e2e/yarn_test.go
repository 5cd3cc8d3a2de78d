package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestYarn runs yarn.sh on every yarn test project (classic and berry,
// node-modules and Plug'n'Play): the tree Nix builds must equal yarn's
// own install, path for path and file for file, and the top-level
// dependencies must load. It needs the npm registry (yarn itself, the
// tarballs).
func TestYarn(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go")
	locks, _ := filepath.Glob("../testdata/yarn/*/yarn.lock")
	if len(locks) < 6 {
		t.Fatalf("want at least 6 yarn test projects, found %d", len(locks))
	}
	for _, lock := range locks {
		dir := filepath.Dir(lock)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cmd := exec.Command("bash", "yarn.sh", dir)
			cmd.Env = append(os.Environ(), "E2E_BUILD=1")
			out, err := cmd.CombinedOutput()
			t.Logf("%s", strings.TrimSpace(string(out)))
			if err != nil {
				t.Fatalf("e2e/yarn.sh %s: %v", dir, err)
			}
			if !strings.Contains(string(out), ": OK (") {
				t.Fatalf("e2e/yarn.sh %s printed no OK line", dir)
			}
		})
	}
}
