package e2e

import (
	"net/http"
	"net/http/httptest"
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
// under yarn's name for it. The dependency has a bin and a dependency of
// its own from the registry.
func TestYarnClassicGit(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go", "git")
	tmp := t.TempDir()
	proj := filepath.Join(tmp, "classic-git")
	repo, commit := gitDependency(t, proj)
	writeFile(t, filepath.Join(proj, "package.json"), `{"name": "classic-git", "version": "1.0.0", "dependencies": {"gitdep": "git+file://`+repo+`#`+commit+`"}}`)
	// yarn 1 from the registry, as yarn.sh installs it.
	tools := filepath.Join(tmp, "yarn")
	runIn(t, tmp, nil, "npm", "install", "--prefix", tools, "yarn@1.22.22", "--no-audit", "--no-fund", "--loglevel=error")
	reg := runIn(t, tmp, nil, "npm", "config", "get", "registry")
	runIn(t, proj, []string{"HOME=" + tmp}, "node", filepath.Join(tools, "node_modules/yarn/bin/yarn.js"), "install",
		"--registry", reg, "--ignore-scripts", "--non-interactive", "--cache-folder", filepath.Join(tmp, "cache"))
	lockHolds(t, proj, commit)
	os.RemoveAll(filepath.Join(proj, "node_modules"))
	yarnSH(t, proj)
}

// TestYarnBerryGit does for berry (yarn 4, node-modules linker) what
// TestYarnClassicGit does for yarn 1: yarn clones the locked commit in
// the build, which the build's git answers from Nix's fetch, and packs
// it into a zip that must match the lockfile's checksum. berry takes no
// file: git address (it checks a host's network settings), so the
// repository is served by this test over git's plain HTTP protocol on
// 127.0.0.1, standing in for a git host.
func TestYarnBerryGit(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go", "git")
	tmp := t.TempDir()
	proj := filepath.Join(tmp, "berry-git")
	repo, commit := gitDependency(t, filepath.Join(tmp, "src"))
	served := filepath.Join(tmp, "served")
	runIn(t, tmp, nil, "git", "clone", "-q", "--bare", repo, filepath.Join(served, "gitdep.git"))
	runIn(t, filepath.Join(served, "gitdep.git"), nil, "git", "update-server-info")
	srv := httptest.NewServer(http.FileServer(http.Dir(served)))
	defer srv.Close()
	writeFile(t, filepath.Join(proj, "package.json"), `{"name": "berry-git", "version": "1.0.0", "packageManager": "yarn@4.9.1", "dependencies": {"gitdep": "`+srv.URL+`/gitdep.git#commit=`+commit+`"}}`)
	writeFile(t, filepath.Join(proj, ".yarnrc.yml"), "nodeLinker: node-modules\nenableGlobalCache: false\n")
	tools := filepath.Join(tmp, "yarn")
	runIn(t, tmp, nil, "npm", "install", "--prefix", tools, "@yarnpkg/cli-dist@4.9.1", "--no-audit", "--no-fund", "--loglevel=error")
	reg := strings.TrimSuffix(runIn(t, tmp, nil, "npm", "config", "get", "registry"), "/")
	runIn(t, proj, []string{"HOME=" + tmp, "YARN_NPM_REGISTRY_SERVER=" + reg, "YARN_ENABLE_SCRIPTS=false", "YARN_ENABLE_TELEMETRY=0",
		"YARN_ENABLE_IMMUTABLE_INSTALLS=false", // CI=true makes berry immutable by default, and this install writes the lock
		"YARN_GLOBAL_FOLDER=" + filepath.Join(tmp, "global")}, "node", filepath.Join(tools, "node_modules/@yarnpkg/cli-dist/bin/yarn.js"), "install")
	lockHolds(t, proj, commit)
	for _, p := range []string{"node_modules", ".yarn", ".pnp.cjs"} {
		os.RemoveAll(filepath.Join(proj, p))
	}
	yarnSH(t, proj)
}

// gitDependency makes a git repository in proj/vendor/gitdep.git (no git
// host is reachable from the tests) holding a package that depends on
// ms from the registry, and returns its path and commit.
func gitDependency(t *testing.T, proj string) (string, string) {
	t.Helper()
	repo := filepath.Join(proj, "vendor", "gitdep.git")
	writeFile(t, filepath.Join(repo, "package.json"), `{"name": "gitdep", "version": "1.0.0", "main": "index.js", "bin": {"gitdep": "bin.js"}, "dependencies": {"ms": "^2.1.3"}}`)
	writeFile(t, filepath.Join(repo, "index.js"), "module.exports = require('ms')('1h');\n")
	writeFile(t, filepath.Join(repo, "bin.js"), "#!/usr/bin/env node\nconsole.log(require('.'));\n")
	if err := os.Chmod(filepath.Join(repo, "bin.js"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitEnv := []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t.test", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t.test"}
	runIn(t, repo, nil, "git", "init", "-q")
	runIn(t, repo, nil, "git", "add", ".")
	runIn(t, repo, gitEnv, "git", "commit", "-qm", "one")
	return repo, runIn(t, repo, nil, "git", "rev-parse", "HEAD")
}

func runIn(t *testing.T, dir string, env []string, name string, args ...string) string {
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

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lockHolds checks that yarn locked the dependency as the test means
// it to: s (a commit, a resolution line) is in proj's yarn.lock.
func lockHolds(t *testing.T, proj, s string) {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(proj, "yarn.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(lock), s) {
		t.Fatalf("yarn.lock does not hold %s:\n%s", s, lock)
	}
}

// yarnSH runs yarn.sh on proj. It generates from a copy of the project,
// elsewhere in the temporary folder, while the lock names the repository
// where it is: --root holds both.
func yarnSH(t *testing.T, proj string) {
	t.Helper()
	cmd := exec.Command("bash", "yarn.sh", proj)
	cmd.Env = append(os.Environ(), "LOCK2NIX_FLAGS=--root "+os.TempDir())
	out, err := cmd.CombinedOutput()
	t.Logf("%s", strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("e2e/yarn.sh: %v", err)
	}
}
