package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestYarnClassicGit makes a yarn 1 project whose dependency is a git
// repository (a local one, as no git host is reachable from the tests),
// locks it with yarn itself, and runs yarn.sh on it: the source is fetched
// with fetchGit at the locked commit and packed into the offline mirror
// under yarn's name for it.
func TestYarnClassicGit(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go", "git")
	tmp := t.TempDir()
	proj := filepath.Join(tmp, "classic-git")
	repo := filepath.Join(proj, "vendor", "gitdep.git")
	run := func(dir string, env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(repo, "package.json"), `{"name": "gitdep", "version": "1.0.0", "main": "index.js", "dependencies": {"ms": "^2.1.3"}}`)
	write(filepath.Join(repo, "index.js"), "module.exports = require('ms')('1h');\n")
	gitEnv := []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t.test", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t.test"}
	run(repo, nil, "git", "init", "-q")
	run(repo, nil, "git", "add", ".")
	run(repo, gitEnv, "git", "commit", "-qm", "one")
	commit := run(repo, nil, "git", "rev-parse", "HEAD")

	write(filepath.Join(proj, "package.json"), `{"name": "classic-git", "version": "1.0.0", "dependencies": {"gitdep": "git+file://`+repo+`#`+commit+`"}}`)
	// yarn 1 from the registry, as yarn.sh installs it.
	tools := filepath.Join(tmp, "yarn")
	run(tmp, nil, "npm", "install", "--prefix", tools, "yarn@1.22.22", "--no-audit", "--no-fund", "--loglevel=error")
	reg := run(tmp, nil, "npm", "config", "get", "registry")
	run(proj, []string{"HOME=" + tmp}, "node", filepath.Join(tools, "node_modules/yarn/bin/yarn.js"), "install",
		"--registry", reg, "--ignore-scripts", "--non-interactive", "--cache-folder", filepath.Join(tmp, "cache"))
	lock, err := os.ReadFile(filepath.Join(proj, "yarn.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(lock), commit) {
		t.Fatalf("yarn.lock does not name the commit:\n%s", lock)
	}
	os.RemoveAll(filepath.Join(proj, "node_modules"))
	cmd := exec.Command("bash", "yarn.sh", proj)
	// yarn.sh generates from a copy of the project, elsewhere in the
	// temporary folder, while the lock names the repository where it is.
	cmd.Env = append(os.Environ(), "LOCK2NIX_FLAGS=--root "+os.TempDir())
	out, err := cmd.CombinedOutput()
	t.Logf("%s", strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("e2e/yarn.sh: %v", err)
	}
}
