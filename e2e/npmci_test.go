package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// TestNpmCIVerdicts runs npm ci --dry-run and lock2nix on each project of
// testdata/npmci (small trees of real registry packages: debug, ms,
// eslint-config-prettier) and checks that both give the verdict the case
// names: "refuse" or "accept". npm's dry run builds its tree from the
// lockfile and the registry (which the test reaches through npm's own
// configuration) and installs nothing; lock2nix's stop for sources without
// a hash is off (--allow-unpinned). A change in npm's rules, or in
// lock2nix's, fails here.
func TestNpmCIVerdicts(t *testing.T) {
	need(t, "npm", "go")
	files, _ := filepath.Glob("testdata/npmci/*.txtar")
	if len(files) == 0 {
		t.Fatal("no cases in testdata/npmci")
	}
	bin := filepath.Join(t.TempDir(), "lock2nix")
	if msg, err := exec.Command("go", "build", "-o", bin, "../cmd/lock2nix").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, msg)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			want := ""
			for _, f := range ar.Files {
				if f.Name == "want" {
					want = strings.TrimSpace(string(f.Data))
					continue
				}
				p := filepath.Join(dir, f.Name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			npm := exec.Command("npm", "ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund")
			npm.Dir = dir
			var npmErr bytes.Buffer
			npm.Stderr = &npmErr
			npmVerdict := "accept"
			if err := npm.Run(); err != nil {
				npmVerdict = "refuse"
				// npm refuses a lockfile with EUSAGE ("Missing: …",
				// "Invalid: …") or ERESOLVE; anything else is npm failing
				// to reach its registry.
				if !strings.Contains(npmErr.String(), "EUSAGE") && !strings.Contains(npmErr.String(), "ERESOLVE") {
					t.Skipf("npm ci could not judge the lockfile: %v\n%s", err, npmErr.String())
				}
			}
			l2n := exec.Command(bin, "npm", dir, "-o", "-", "--allow-unpinned", "-q")
			var l2nErr bytes.Buffer
			l2n.Stderr = &l2nErr
			l2nVerdict := "accept"
			if err := l2n.Run(); err != nil {
				l2nVerdict = "refuse"
			}
			if npmVerdict != want {
				t.Errorf("npm ci: %s, the case says %s\n%s", npmVerdict, want, npmErr.String())
			}
			if l2nVerdict != want {
				t.Errorf("lock2nix: %s, the case says %s\n%s", l2nVerdict, want, l2nErr.String())
			}
		})
	}
}
