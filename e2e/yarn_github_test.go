package e2e

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/nar"
)

// githubRepo is the GitHub address the GitHub tests' dependency is locked
// at; git itself is told to read the local repository for it (insteadOf),
// as GitHub is out of reach from the tests.
const githubRepo = "https://github.com/lock2nix-test/gitdep.git"

// TestYarnClassicGitHub locks a yarn 1 project whose dependency is a git
// repository on GitHub (a local repository stands in for it, through
// git's url.insteadOf), as logseq's lock has one: lock2nix fetches it as
// the files of GitHub's archive of the commit, with fetchzip, a recursive
// fixed-output fetch with the hash (of the files) the pins file gives.
// The archive is made here as GitHub makes it (git archive, one top
// folder REPO-COMMIT) and its files put in the store under the name and
// hash fetchzip asks for, so Nix fetches nothing; yarn.sh then builds the
// tree and compares it with yarn's own offline install.
func TestYarnClassicGitHub(t *testing.T) {
	need(t, "nix-build", "nix-store", "npm", "node", "go", "git")
	tmp := t.TempDir()
	proj := filepath.Join(tmp, "classic-github")
	repo, commit := gitDependency(t, filepath.Join(tmp, "src"))
	env := insteadOf(repo)
	writeFile(t, filepath.Join(proj, "package.json"), `{"name": "classic-github", "version": "1.0.0", "dependencies": {"gitdep": "`+githubRepo+`#`+commit+`"}}`)
	tools := filepath.Join(tmp, "yarn")
	runIn(t, tmp, nil, "npm", "install", "--prefix", tools, "yarn@1.22.22", "--no-audit", "--no-fund", "--loglevel=error")
	reg := runIn(t, tmp, nil, "npm", "config", "get", "registry")
	runIn(t, proj, append([]string{"HOME=" + tmp}, env...), "node", filepath.Join(tools, "node_modules/yarn/bin/yarn.js"), "install",
		"--registry", reg, "--ignore-scripts", "--non-interactive", "--cache-folder", filepath.Join(tmp, "cache"))
	lockHolds(t, proj, `resolved "`+githubRepo+`#`+commit+`"`)
	os.RemoveAll(filepath.Join(proj, "node_modules"))
	writeFile(t, filepath.Join(proj, "lock2nix-pins.toml"), githubArchive(t, repo, commit))
	out := yarnSHEnv(t, proj, env)
	if !strings.Contains(out, ": OK (classic)") {
		t.Fatalf("e2e/yarn.sh printed no OK line")
	}
}

// TestYarnBerryGitHub does for berry (yarn 4, node-modules linker) what
// TestYarnClassicGitHub does for yarn 1, as prettier's lock has such a
// dependency. berry tries GitHub's archive first and, as GitHub is out of
// reach, clones through git (so the lock's checksum is of the clone's
// files); in the build, lock2nix's git hands it the archive's files Nix
// fetched, which yarn packs and checks against that checksum.
func TestYarnBerryGitHub(t *testing.T) {
	berryGitHub(t, func(repo, commit string) string { return githubArchive(t, repo, commit) })
}

// TestYarnBerryGitHubPin builds the same project with a [pins] entry at
// the locked commit, the one pin berry builds with (its checksum fixes the
// files): fetchGit at that commit (git's url.insteadOf again), whose
// checkout lock2nix's git hands yarn.
func TestYarnBerryGitHubPin(t *testing.T) {
	berryGitHub(t, func(repo, commit string) string { return fmt.Sprintf("[pins]\ngitdep = %q\n", commit) })
}

// berryGitHub locks a berry project on a dependency at githubRepo, writes
// the pins file pinsFile gives for it, and builds it with yarn.sh.
func berryGitHub(t *testing.T, pinsFile func(repo, commit string) string) {
	need(t, "nix-build", "nix-store", "npm", "node", "go", "git")
	tmp := t.TempDir()
	proj := filepath.Join(tmp, "berry-github")
	repo, commit := gitDependency(t, filepath.Join(tmp, "src"))
	env := insteadOf(repo)
	writeFile(t, filepath.Join(proj, "package.json"), `{"name": "berry-github", "version": "1.0.0", "packageManager": "yarn@4.9.1", "dependencies": {"gitdep": "`+githubRepo+`#commit=`+commit+`"}}`)
	writeFile(t, filepath.Join(proj, ".yarnrc.yml"), "nodeLinker: node-modules\nenableGlobalCache: false\n")
	tools := filepath.Join(tmp, "yarn")
	runIn(t, tmp, nil, "npm", "install", "--prefix", tools, "@yarnpkg/cli-dist@4.9.1", "--no-audit", "--no-fund", "--loglevel=error")
	reg := strings.TrimSuffix(runIn(t, tmp, nil, "npm", "config", "get", "registry"), "/")
	runIn(t, proj, append([]string{"HOME=" + tmp, "YARN_NPM_REGISTRY_SERVER=" + reg, "YARN_ENABLE_SCRIPTS=false", "YARN_ENABLE_TELEMETRY=0",
		"YARN_ENABLE_IMMUTABLE_INSTALLS=false", // CI=true makes berry immutable by default, and this install writes the lock
		"YARN_GLOBAL_FOLDER=" + filepath.Join(tmp, "global")}, env...), "node", filepath.Join(tools, "node_modules/@yarnpkg/cli-dist/bin/yarn.js"), "install")
	lockHolds(t, proj, `resolution: "gitdep@`+githubRepo+`#commit=`+commit+`"`)
	for _, p := range []string{"node_modules", ".yarn", ".pnp.cjs"} {
		os.RemoveAll(filepath.Join(proj, p))
	}
	writeFile(t, filepath.Join(proj, "lock2nix-pins.toml"), pinsFile(repo, commit))
	out := yarnSHEnv(t, proj, env)
	if !strings.Contains(out, ": OK (berry)") {
		t.Fatalf("e2e/yarn.sh printed no OK line")
	}
}

// insteadOf is the environment that makes git read repo wherever a
// command names githubRepo.
func insteadOf(repo string) []string {
	u := url.URL{Scheme: "file", Path: repo}
	return []string{"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=url." + u.String() + ".insteadOf", "GIT_CONFIG_VALUE_0=" + githubRepo}
}

// githubArchive makes GitHub's archive of commit of repo (git archive as a
// gzipped tar, every file under gitdep-COMMIT/), adds its files to the Nix
// store as fetchzip fetches them (the top folder stripped, named "source",
// a recursive sha256 fixed-output path), and returns a pins file that
// gives the hash of those files (the NAR hash lock2nix --prefetch
// records). Nix finds the fetch's output in the store only when the
// generated file asks for exactly that: fetchzip's name, a recursive hash
// of the files; anything else it would download from GitHub, which the
// tests cannot reach.
func githubArchive(t *testing.T, repo, commit string) string {
	t.Helper()
	_, pins := githubArchiveFile(t, repo, commit)
	return pins
}

// githubArchiveFile is githubArchive, which also returns the archive's
// file (for npm's cache).
func githubArchiveFile(t *testing.T, repo, commit string) (file, pins string) {
	t.Helper()
	dir := t.TempDir()
	file = filepath.Join(dir, commit)
	runIn(t, repo, nil, "git", "archive", "--format=tar.gz", "--prefix=gitdep-"+commit+"/", "-o", file, commit)
	unpacked := filepath.Join(dir, "unpacked")
	if err := os.Mkdir(unpacked, 0o755); err != nil {
		t.Fatal(err)
	}
	runIn(t, dir, nil, "tar", "-xzf", file, "-C", unpacked)
	// fetchzip's output: the top folder's files, named "source".
	tree := filepath.Join(unpacked, "source")
	if err := os.Rename(filepath.Join(unpacked, "gitdep-"+commit), tree); err != nil {
		t.Fatal(err)
	}
	hash, err := nar.Hash(tree)
	if err != nil {
		t.Fatal(err)
	}
	path := runIn(t, dir, nil, "nix-store", "--add-fixed", "--recursive", "sha256", tree)
	t.Logf("GitHub's archive's files, as fetchzip fetches them: %s", path)
	return file, fmt.Sprintf("[archive]\n%q = %q\n", githubArchiveURL(commit), hash)
}

// githubArchiveURL is the address of GitHub's archive of commit of
// githubRepo.
func githubArchiveURL(commit string) string {
	return "https://codeload.github.com/lock2nix-test/gitdep/tar.gz/" + commit
}

// yarnSHEnv runs yarn.sh on proj with env added, and returns its output.
func yarnSHEnv(t *testing.T, proj string, env []string) string {
	t.Helper()
	cmd := exec.Command("bash", "yarn.sh", proj)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("e2e/yarn.sh: %v", err)
	}
	return string(out)
}
