package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// runPnpmSh runs e2e/pnpm.sh on dir, with the pnpm it picks for the
// project, and returns its output.
func runPnpmSh(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.Command("bash", "pnpm.sh", dir)
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
			// The largest projects run on demand (LOCK2NIX_E2E_ALL=1),
			// to keep CI inside its budget.
			if why, err := os.ReadFile(filepath.Join(dir, "E2E-OPT-IN")); err == nil && os.Getenv("LOCK2NIX_E2E_ALL") == "" {
				t.Skip(strings.TrimSpace(string(why)))
			}
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
// then pnpm install --lockfile-only), generates and builds again: the new
// hash comes from the lock, with nothing edited by hand.
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
	file := generatePnpm(t, dir)
	out, err := nixBuild(pnpmCall(file, `src = /. + "`+dir+`"; installScripts = false;`) + ".nodeModules")
	if err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile(filepath.Join(out, "node_modules/.pnpm/semver@7.6.2/node_modules/semver/package.json"))
	if err != nil || !strings.Contains(string(data), `"version": "7.6.2"`) {
		t.Fatalf("the tree does not hold semver 7.6.2: %v", err)
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
	// The repository lies beside the project: inside the boundary
	// (git file: repositories are held to it).
	t.Setenv("LOCK2NIX_FLAGS", "--root "+tmp)
	runPnpmSh(t, proj)
}

// TestPnpmGitFolder: git dependencies on folders of one repository
// (git+file://…#COMMIT&path:/DIR, which pnpm joins to the checkout),
// beside the whole repository: the tree Nix builds, each package the
// folder of the commit's checkout, must equal pnpm's.
func TestPnpmGitFolder(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go", "git")
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "repo")
	for name, text := range map[string]string{
		"package.json":            `{"name": "mono", "version": "1.0.0", "main": "root.js"}`,
		"root.js":                 "module.exports = 'root';\n",
		"packages/a/package.json": `{"name": "fa", "version": "1.2.0", "main": "index.js", "files": ["index.js"]}`,
		"packages/a/index.js":     "module.exports = 'a';\n",
		"packages/a/notes.txt":    "left out by files\n",
		"packages/b/package.json": `{"name": "fb", "version": "2.0.0", "main": "b.js"}`,
		"packages/b/b.js":         "module.exports = 'b';\n",
	} {
		p := filepath.Join(repo, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
	spec := "git+file://" + repo + "#" + git("rev-parse", "HEAD")
	proj := filepath.Join(tmp, "project")
	os.MkdirAll(proj, 0o755)
	pkg := `{"name": "folder-project", "version": "1.0.0", "dependencies": {"fa": "` + spec + `&path:/packages/a", "fb": "` + spec + `&path:/packages/b", "mono": "` + spec + `"}}` + "\n"
	if err := os.WriteFile(filepath.Join(proj, "package.json"), []byte(pkg), 0o644); err != nil {
		t.Fatal(err)
	}
	pnpmRun(t, proj, "install", "--lockfile-only")
	lock, _ := os.ReadFile(filepath.Join(proj, "pnpm-lock.yaml"))
	if !strings.Contains(string(lock), "path: /packages/a") || !strings.Contains(string(lock), "path: /packages/b") {
		t.Fatalf("pnpm did not lock the folders:\n%s", lock)
	}
	t.Setenv("LOCK2NIX_FLAGS", "--root "+tmp)
	runPnpmSh(t, proj)
}

// TestPnpmHoistedSameVersion: with node-linker=hoisted, pnpm's hoister
// knows a package by name@version, the source it came from aside. Two
// commits of one git repository, both gitdep@1.2.3, are one package to it:
// the workspace project's goes to the root, where the root's (the first met)
// already is, and only the root's commit is installed (pnpm 10.34.9: the
// project's node_modules stays empty). lock2nix lays out the same tree.
func TestPnpmHoistedSameVersion(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go", "git")
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "repo")
	os.MkdirAll(repo, 0o755)
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
	write := func(dir, name, text string) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Two commits of gitdep 1.2.3 that differ in a file's name, so that
	// the listings show which one is installed where.
	write(repo, "package.json", `{"name": "gitdep", "version": "1.2.3", "main": "index.js"}`+"\n")
	write(repo, "index.js", "module.exports = 'from git';\n")
	write(repo, "one.txt", "one\n")
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "one")
	one := git("rev-parse", "HEAD")
	git("rm", "-q", "one.txt")
	write(repo, "two.txt", "two\n")
	git("add", ".")
	git("commit", "-qm", "two")
	two := git("rev-parse", "HEAD")
	proj := filepath.Join(tmp, "project")
	write(proj, "package.json", `{"name": "same-version", "version": "1.0.0", "private": true, "dependencies": {"gitdep": "git+file://`+repo+`#`+one+`"}}`+"\n")
	write(filepath.Join(proj, "p", "a"), "package.json", `{"name": "a", "version": "1.0.0", "dependencies": {"gitdep": "git+file://`+repo+`#`+two+`"}}`+"\n")
	write(proj, "pnpm-workspace.yaml", "packages:\n  - \"p/*\"\n")
	write(proj, ".npmrc", "node-linker=hoisted\n")
	pnpmRun(t, proj, "install", "--lockfile-only")
	lock, _ := os.ReadFile(filepath.Join(proj, "pnpm-lock.yaml"))
	if strings.Count(string(lock), "type: git") != 2 {
		t.Fatalf("pnpm did not lock two git resolutions:\n%s", lock)
	}
	// The repository lies beside the project: inside the boundary
	// (git file: repositories are held to it).
	t.Setenv("LOCK2NIX_FLAGS", "--root "+tmp)
	runPnpmSh(t, proj)
}

// pnpmCall is the expression of the builders' result for a pnpm data
// file, with bindings ("src = …;") as the other arguments; pkgs must be in
// scope.
func pnpmCall(file, bindings string) string {
	return "((import " + repo + " { inherit pkgs; }).pnpm { file = " + file + "; " + bindings + " })"
}

// generatePnpm translates a pnpm project for the registry npm is
// configured with and returns the generated file.
func generatePnpm(t *testing.T, dir string) string {
	t.Helper()
	reg, err := exec.Command("npm", "config", "get", "registry").Output()
	if err != nil {
		t.Skip("npm config get registry failed")
	}
	out := filepath.Join(t.TempDir(), "lock.nix")
	gen := exec.Command("go", "run", "../cmd/lock2nix", "pnpm", dir, "-o", out,
		"--registry", strings.TrimSpace(string(reg)), "--replace-registry-host", "registry.npm.test")
	if msg, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("lock2nix: %v\n%s", err, msg)
	}
	return out
}

// TestPnpmScripts builds the scripts project with install scripts on: the
// package pnpm would build runs preinstall and postinstall (the latter
// through its dependency's bin), in that order, and the one
// neverBuiltDependencies names runs nothing; the patched package of the
// workspace project carries its patch.
func TestPnpmScripts(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go")
	abs, _ := filepath.Abs("../testdata/pnpm/scripts")
	file := generatePnpm(t, abs)
	out, err := nixBuild(pnpmCall(file, `src = /. + "`+abs+`";`) + ".nodeModules")
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		data, _ := os.ReadFile(filepath.Join(out, "node_modules/.pnpm", p))
		return strings.TrimSpace(string(data))
	}
	if got := read("with-script@file+deps+with-script/node_modules/with-script/built.txt"); got != "1.2.3" {
		t.Errorf("with-script's postinstall wrote %q, want 1.2.3 (semver's bin)", got)
	}
	if got := read("with-script@file+deps+with-script/node_modules/with-script/pre.txt"); got != "preinstall" {
		t.Errorf("with-script's preinstall wrote %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, "node_modules/.pnpm/blocked@file+deps+blocked/node_modules/blocked/ran.txt")); err == nil {
		t.Error("blocked ran its postinstall, which neverBuiltDependencies forbids")
	}

	ws, _ := filepath.Abs("../testdata/pnpm/workspace")
	file = generatePnpm(t, ws)
	out, err = nixBuild(pnpmCall(file, `src = /. + "`+ws+`"; installScripts = false;`) + ".nodeModules")
	if err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(out, "node_modules/.pnpm/is-odd@3.0.1_patch_hash=*/node_modules/is-odd/index.js"))
	if len(matches) != 1 {
		t.Fatalf("the patched is-odd is not in the tree: %v", matches)
	}
	if data, _ := os.ReadFile(matches[0]); !strings.HasPrefix(string(data), "// patched by lock2nix e2e\n") {
		t.Errorf("is-odd's index.js does not carry the patch:\n%.200s", data)
	}
}

// TestPnpmDevShell enters the workspace project's devShell (the
// node_modules layer's hook): node_modules, and the workspace project's,
// are folders of links into the tree, every link resolves (pnpm's own
// relative links through the linked .pnpm), node finds the dependencies
// and the bins are on PATH; a second entry leaves the folder alone, and a
// node_modules pnpm made is not touched.
func TestPnpmDevShell(t *testing.T) {
	need(t, "nix-build", "npm", "go", "bash")
	src, _ := filepath.Abs("../testdata/pnpm/workspace")
	file := generatePnpm(t, src)
	call := pnpmCall(file, "src = "+src+"; installScripts = false;")
	tree, err := nixBuild(call + ".nodeModules")
	if err != nil {
		t.Fatal(err)
	}
	expr := "let pkgs = import " + standin + " { }; in (" + call + ".devShell { }).shellHook"
	out, err := exec.Command("nix-instantiate", "--eval", "--json", "-E", expr).Output()
	if err != nil {
		t.Fatalf("nix-instantiate: %v", err)
	}
	var hook string
	if err := json.Unmarshal(out, &hook); err != nil {
		t.Fatal(err)
	}
	proj := copyProject(t, src)
	stdout, stderr := enter(t, proj, hook, `node -e 'console.log(require("is-odd")(3), require("lib-a")("5"))'; command -v semver >/dev/null && echo has-semver; cat node_modules/.lock2nix-tree; find . -xtype l | head -3`)
	if want := "true true\nhas-semver\nlink " + tree + "/node_modules\n"; stdout != want {
		t.Errorf("in the shell: got %q, want %q (hook: %s)", stdout, want, stderr)
	}
	if _, err := os.Stat(filepath.Join(proj, "packages/lib-a/node_modules/debug/package.json")); err != nil {
		t.Errorf("the workspace project's node_modules was not put in place: %v", err)
	}
	// A second shell finds the same tree and keeps it.
	os.WriteFile(filepath.Join(proj, "node_modules", "marker"), nil, 0o644)
	enter(t, proj, hook, "true")
	if _, err := os.Stat(filepath.Join(proj, "node_modules", "marker")); err != nil {
		t.Error("a second shell replaced an up-to-date node_modules")
	}
	// pnpm's own node_modules stays.
	other := copyProject(t, src)
	os.MkdirAll(filepath.Join(other, "node_modules", ".pnpm"), 0o755)
	_, stderr = enter(t, other, hook, "true")
	if !strings.Contains(stderr, "not made by lock2nix") {
		t.Errorf("no message about pnpm's node_modules: %q", stderr)
	}
}

// TestPnpmBuildPackage builds the workspace project with buildPackage
// (its build script runs a dependency's bin and a workspace project's, and
// requires both kinds of dependency), and one workspace project's tree on
// its own: its dependencies, none of the root's.
func TestPnpmBuildPackage(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go")
	src, _ := filepath.Abs("../testdata/pnpm/workspace")
	file := generatePnpm(t, src)
	call := pnpmCall(file, "src = "+src+"; installScripts = false;")
	out, err := nixBuild(call + ".buildPackage { }")
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "lib/node_modules/pnpm-e2e-workspace/built.txt")); strings.TrimSpace(string(data)) != "1.2.3" {
		t.Errorf("the build script wrote %q", data)
	}
	ws, err := nixBuild(call + `.workspaces."lib-a".nodeModules`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(ws, "packages/lib-a/node_modules/debug/package.json")); err != nil {
		t.Errorf("lib-a's tree lacks debug: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(ws, "node_modules/react")); err == nil {
		t.Error("lib-a's tree holds the root's react")
	}
}

// listTree lists every path with a node_modules component below root,
// links with their target, pnpm's state files left out, as pnpm.sh does.
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "node_modules/.modules.yaml" || rel == "node_modules/.pnpm/lock.yaml" || strings.HasPrefix(d.Name(), ".pnpm-workspace-state") {
			return nil
		}
		if !strings.Contains("/"+rel+"/", "/node_modules/") {
			return nil
		}
		if d.Type()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			rel += " -> " + target
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPnpmProd compares nodeModulesProd with pnpm install --frozen-lockfile
// --prod --ignore-scripts, path for path: on the workspace project, and on
// the hoisted one (node-linker=hoisted), where leaving out the root's dev
// dependency lets another version of it take the root.
func TestPnpmProd(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go")
	for _, c := range []struct {
		project  string
		minPaths int
	}{{"workspace", 100}, {"hoisted-linker-workspace", 50}} {
		t.Run(c.project, func(t *testing.T) {
			src, _ := filepath.Abs("../testdata/pnpm/" + c.project)
			file := generatePnpm(t, src)
			out, err := nixBuild(pnpmCall(file, "src = "+src+"; installScripts = false;") + ".nodeModulesProd")
			if err != nil {
				t.Fatal(err)
			}
			dir := copyProject(t, src)
			pnpmRun(t, dir, "install", "--frozen-lockfile", "--prod", "--ignore-scripts", "--reporter=silent")
			want, got := listTree(t, dir), listTree(t, out)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("nodeModulesProd differs from pnpm install --prod (-pnpm +lock2nix):\n%s", diff)
			}
			if len(got) < c.minPaths {
				t.Errorf("%d paths", len(got))
			}
		})
	}
}

// TestPnpmHoistedScripts builds the scripts and workspace projects with
// node-linker=hoisted: the package pnpm would build runs its scripts where
// the hoisted tree puts it (its postinstall through its dependency's bin,
// linked by pnpm's build step beside it), the blocked one runs nothing, and
// the patched package carries its patch.
func TestPnpmHoistedScripts(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go")
	hoisted := func(project string) string {
		dir := copyProject(t, "../testdata/pnpm/"+project)
		f, err := os.OpenFile(filepath.Join(dir, ".npmrc"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("\nnode-linker=hoisted\n")
		f.Close()
		return dir
	}
	dir := hoisted("scripts")
	out, err := nixBuild(pnpmCall(generatePnpm(t, dir), `src = /. + "`+dir+`";`) + ".nodeModules")
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		data, _ := os.ReadFile(filepath.Join(out, p))
		return strings.TrimSpace(string(data))
	}
	if got := read("node_modules/with-script/built.txt"); got != "1.2.3" {
		t.Errorf("with-script's postinstall wrote %q, want 1.2.3 (semver's bin)", got)
	}
	if got := read("node_modules/with-script/pre.txt"); got != "preinstall" {
		t.Errorf("with-script's preinstall wrote %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, "node_modules/blocked/ran.txt")); err == nil {
		t.Error("blocked ran its postinstall, which neverBuiltDependencies forbids")
	}
	if _, err := os.Stat(filepath.Join(out, "node_modules/.pnpm/with-script@file+deps+with-script")); err == nil {
		t.Error("the hoisted tree has a virtual store")
	}

	dir = hoisted("workspace")
	out, err = nixBuild(pnpmCall(generatePnpm(t, dir), `src = /. + "`+dir+`"; installScripts = false;`) + ".nodeModules")
	if err != nil {
		t.Fatal(err)
	}
	if got := read("node_modules/is-odd/index.js"); !strings.HasPrefix(got, "// patched by lock2nix e2e\n") {
		t.Errorf("is-odd's index.js does not carry the patch:\n%.200s", got)
	}
}

// TestPnpmHoistedDevShell enters the devShell of the hoisted workspace
// (node-linker=hoisted): the root's packages and a workspace project's own
// (packages/a's ms 2.0.0, which the root does not hold) resolve, through
// the workspace links, from folders of links into the tree; bins are
// links that lead to their files, and none is broken.
func TestPnpmHoistedDevShell(t *testing.T) {
	need(t, "nix-build", "npm", "go", "bash", "node")
	src, _ := filepath.Abs("../testdata/pnpm/hoisted-linker-workspace")
	file := generatePnpm(t, src)
	call := pnpmCall(file, "src = "+src+"; installScripts = false;")
	expr := "let pkgs = import " + standin + " { }; in (" + call + ".devShell { }).shellHook"
	out, err := exec.Command("nix-instantiate", "--eval", "--json", "-E", expr).Output()
	if err != nil {
		t.Fatalf("nix-instantiate: %v", err)
	}
	var hook string
	if err := json.Unmarshal(out, &hook); err != nil {
		t.Fatal(err)
	}
	if _, err := nixBuild(call + ".nodeModules"); err != nil {
		t.Fatal(err)
	}
	proj := copyProject(t, src)
	stdout, stderr := enter(t, proj, hook, `node -e 'console.log(require("b")("1h"), require("semver").valid("1.2.3"))'; semver 1.2.3; packages/b/node_modules/.bin/a-cli; find . -xtype l | head -3`)
	// packages/a exports ms 2.0.0, which prints 1h as 3600000.
	if want := "3600000 1.2.3\n1.2.3\n3600000\n"; stdout != want {
		t.Errorf("in the shell: got %q, want %q (hook: %s)", stdout, want, stderr)
	}
}
