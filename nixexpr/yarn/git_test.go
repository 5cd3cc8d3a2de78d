package yarn

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitSH runs git.sh as yarn runs git for a git dependency: clone makes
// the folder, checkout of a locked commit copies its fetched files (modes
// kept, writable), and an unknown commit or any other command fails
// saying why.
func TestGitSH(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "store", "src")
	if err := os.MkdirAll(filepath.Join(src, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, mode := range map[string]os.FileMode{"package.json": 0o444, "lib/bin.js": 0o555} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(name), mode); err != nil {
			t.Fatal(err)
		}
	}
	commit := strings.Repeat("ab", 20)
	m := filepath.Join(tmp, "map")
	if err := os.WriteFile(m, []byte(strings.Repeat("cd", 20)+" /nowhere\n"+commit+" "+src+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("git.sh")
	git := func(dir string, args ...string) (string, error) {
		cmd := exec.Command("bash", append([]string{script}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LOCK2NIX_GIT_MAP="+m)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	clone := filepath.Join(tmp, "clone")
	if out, err := git(tmp, "clone", "-c core.autocrlf=false", "https://example.test/r.git", clone); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	if out, err := git(clone, "checkout", commit); err != nil {
		t.Fatalf("checkout: %v\n%s", err, out)
	}
	for name, want := range map[string]os.FileMode{"package.json": 0o644, "lib/bin.js": 0o755} {
		fi, err := os.Stat(filepath.Join(clone, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", name, got, want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"checkout", strings.Repeat("ef", 20)}, "the lockfile locks no git dependency at that commit"},
		{[]string{"ls-remote", "https://example.test/r.git"}, "the build has no network and no git; yarn ran: git ls-remote"},
	} {
		out, err := git(clone, c.args...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("git %v: %v, %q; want a failure saying %q", c.args, err, out, c.want)
		}
	}
	if _, err := exec.LookPath("shellcheck"); err == nil {
		if out, err := exec.Command("shellcheck", "git.sh").CombinedOutput(); err != nil {
			t.Errorf("shellcheck git.sh: %v\n%s", err, out)
		}
	}
}
