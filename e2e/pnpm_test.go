package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pnpmVersion is the pnpm the tests compare with, installed once from the
// registry npm is configured with.
const pnpmVersion = "10.34.9"

// pnpmBin returns a pinned pnpm: $PNPM, or pnpmVersion installed with npm
// into the user's cache.
func pnpmBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PNPM"); p != "" {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	dir := filepath.Join(cache, "lock2nix-e2e", "pnpm-"+pnpmVersion)
	bin := filepath.Join(dir, "node_modules", ".bin", "pnpm")
	if _, err := os.Stat(bin); err != nil {
		out, err := exec.Command("npm", "install", "--prefix", dir, "pnpm@"+pnpmVersion, "--no-audit", "--no-fund", "--loglevel=error").CombinedOutput()
		if err != nil {
			t.Skipf("cannot install pnpm %s with npm (no registry?): %v\n%s", pnpmVersion, err, out)
		}
	}
	return bin
}

// runPnpmSh runs e2e/pnpm.sh on dir and returns its output.
func runPnpmSh(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.Command("bash", "pnpm.sh", dir)
	cmd.Env = append(os.Environ(), "PNPM="+pnpmBin(t))
	out, err := cmd.CombinedOutput()
	t.Logf("%s", strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("e2e/pnpm.sh %s: %v", dir, err)
	}
	return string(out)
}

// TestPnpm runs pnpm.sh on every pnpm test project: the node_modules tree
// Nix builds must equal pnpm install --frozen-lockfile's, and the
// importers' top-level dependencies must load.
func TestPnpm(t *testing.T) {
	need(t, "nix-build", "npm", "node")
	projects, _ := filepath.Glob("../testdata/pnpm/*/pnpm-lock.yaml")
	if len(projects) == 0 {
		t.Fatal("no pnpm test projects")
	}
	for _, lock := range projects {
		dir := filepath.Dir(lock)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			runPnpmSh(t, dir)
		})
	}
}

// copyProject copies a test project (without node_modules) into a
// temporary folder.
func copyProject(t *testing.T, from string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), filepath.Base(from))
	if out, err := exec.Command("cp", "-R", from, dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	os.RemoveAll(filepath.Join(dir, "node_modules"))
	return dir
}

// pnpmRun runs pnpm in dir with the registry npm is configured with.
func pnpmRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	reg, _ := exec.Command("npm", "config", "get", "registry").Output()
	cmd := exec.Command(pnpmBin(t), append(args, "--registry="+strings.TrimSpace(string(reg)))...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pnpm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestPnpmBump changes a locked version the way a user does (package.json,
// then pnpm install --lockfile-only) and builds again: the new hash comes
// from the lock, with nothing edited by hand.
func TestPnpmBump(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go")
	dir := copyProject(t, "../testdata/pnpm/workspace")
	pj := filepath.Join(dir, "package.json")
	data, err := os.ReadFile(pj)
	if err != nil {
		t.Fatal(err)
	}
	bumped := strings.Replace(string(data), `"semver": "7.6.3"`, `"semver": "7.6.2"`, 1)
	if bumped == string(data) {
		t.Fatal("the workspace project no longer locks semver 7.6.3")
	}
	if err := os.WriteFile(pj, []byte(bumped), 0o644); err != nil {
		t.Fatal(err)
	}
	pnpmRun(t, dir, "install", "--lockfile-only")
	lock, _ := os.ReadFile(filepath.Join(dir, "pnpm-lock.yaml"))
	if !strings.Contains(string(lock), "semver@7.6.2:") {
		t.Fatal("pnpm did not lock semver 7.6.2")
	}
	out := runPnpmSh(t, dir)
	if !strings.Contains(out, ": OK: ") {
		t.Fatal("no OK line")
	}
}

// TestPnpmGit locks a git dependency on a local repository (a commit with
// a file its "files" leaves out) and builds: fetchGit at the locked
// commit, packed as pnpm packs it.
func TestPnpmGit(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go", "git")
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "repo")
	os.MkdirAll(repo, 0o755)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("package.json", `{"name": "gitdep", "version": "1.2.3", "main": "index.js", "files": ["index.js"]}`+"\n")
	write("index.js", "module.exports = 'from git';\n")
	write("notes.txt", "left out by files\n")
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "one")
	rev := git("rev-parse", "HEAD")
	proj := filepath.Join(tmp, "project")
	os.MkdirAll(proj, 0o755)
	if err := os.WriteFile(filepath.Join(proj, "package.json"), []byte(`{"name": "git-project", "version": "1.0.0", "dependencies": {"gitdep": "git+file://`+repo+`#`+rev+`", "is-number": "7.0.0"}}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pnpmRun(t, proj, "install", "--lockfile-only")
	lock, _ := os.ReadFile(filepath.Join(proj, "pnpm-lock.yaml"))
	if !strings.Contains(string(lock), "type: git") {
		t.Fatalf("pnpm did not lock a git resolution:\n%s", lock)
	}
	runPnpmSh(t, proj)
}
