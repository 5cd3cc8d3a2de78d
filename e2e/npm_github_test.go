package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNpmGitHub locks an npm project whose dependency is a git repository
// on GitHub, as overleaf's and insomnia's locks have them
// (git+ssh://git@github.com/…#COMMIT): lock2nix fetches it as the files
// of GitHub's archive of the commit, with fetchzip (a recursive
// fixed-output fetch with the hash of the files the pins file gives), and
// packs them as npm packs a git dependency. npm itself downloads that
// same archive (pacote's GitFetcher asks the host for its tarball of the
// commit, and clones only on an HTTP error; offline, as here, the
// download fails with no HTTP answer and npm stops). So the archive is
// made as GitHub makes it (git archive, one top folder REPO-COMMIT), its
// files put in the Nix store under the name and hash fetchzip asks for,
// and the archive in npm's cache under its codeload URL (npmcache.js),
// which npm --prefer-offline reads for both the locking install and
// npm.sh's npm ci: the tree lock2nix builds is compared with npm's own
// from the same archive. The repository marks a file export-ignore, which
// the archive leaves out (a clone would not): npm's install lacking it
// shows npm read the archive; and .npmignore leaves a file out of the
// package, which only packing the archive's files, as npm does, leaves
// out.
func TestNpmGitHub(t *testing.T) {
	need(t, "nix-build", "nix-store", "npm", "node", "go", "git")
	work := nixReadableTempDir(t)
	proj, cache := filepath.Join(work, "npm-github"), filepath.Join(work, "npm-cache")
	repo, _ := gitDependency(t, filepath.Join(work, "src"))
	writeFile(t, filepath.Join(repo, ".gitattributes"), "ignored.txt export-ignore\n")
	writeFile(t, filepath.Join(repo, "ignored.txt"), "not in GitHub's archive\n")
	// In the archive, but not in the package npm packs from its files.
	writeFile(t, filepath.Join(repo, ".npmignore"), "notes.txt\n")
	writeFile(t, filepath.Join(repo, "notes.txt"), "not in the package\n")
	runIn(t, repo, nil, "git", "add", ".")
	runIn(t, repo, []string{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t.test", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t.test"}, "git", "commit", "-qm", "export-ignore")
	commit := runIn(t, repo, nil, "git", "rev-parse", "HEAD")
	archive, pins := githubArchiveFile(t, repo, commit)
	script, err := filepath.Abs("npmcache.js")
	if err != nil {
		t.Fatal(err)
	}
	runIn(t, work, nil, "node", script, cache, githubArchiveURL(commit), archive)

	writeFile(t, filepath.Join(proj, "package.json"), `{"name": "npm-github", "version": "1.0.0", "dependencies": {"gitdep": "github:lock2nix-test/gitdep#`+commit+`"}}`)
	env := []string{"npm_config_cache=" + cache}
	runIn(t, proj, env, "npm", "install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
	lock, err := os.ReadFile(filepath.Join(proj, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `"resolved": "git+ssh://git@github.com/lock2nix-test/gitdep.git#` + commit + `"`; !strings.Contains(string(lock), want) {
		t.Fatalf("package-lock.json does not hold %s:\n%s", want, lock)
	}
	if _, err := os.Stat(filepath.Join(proj, "node_modules/gitdep/index.js")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(proj, "node_modules/gitdep/ignored.txt")); err == nil {
		t.Fatal("npm installed ignored.txt, which GitHub's archive leaves out: it did not read the archive")
	}
	if _, err := os.Stat(filepath.Join(proj, "node_modules/gitdep/notes.txt")); err == nil {
		t.Fatal("npm installed notes.txt, which .npmignore leaves out of the package")
	}
	os.RemoveAll(filepath.Join(proj, "node_modules"))
	writeFile(t, filepath.Join(proj, "lock2nix-pins.toml"), pins)

	cmd := exec.Command("bash", "npm.sh", proj)
	cmd.Env = append(os.Environ(), append(env, "NPM_CI_FLAGS=--prefer-offline")...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("e2e/npm.sh: %v", err)
	}
	if !strings.Contains(string(out), ": OK: ") {
		t.Fatal("e2e/npm.sh printed no OK line")
	}
}
