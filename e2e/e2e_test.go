// Package e2e holds end-to-end checks that build generated Nix with real
// Nix and compare the result with what the package manager itself makes.
package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"github.com/google/go-cmp/cmp"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestNpm runs npm.sh on every npm test project: the node_modules tree
// Nix builds must equal npm ci's, and the top-level dependencies must
// load.
func TestNpm(t *testing.T) {
	need(t, "nix-build", "npm", "node")
	projects, _ := filepath.Glob("../testdata/npm/*/package-lock.json")
	projects = append(projects, "../testdata/example/package-lock.json")
	// Projects with local packages beside them: testdata/npm-local/<case>/app.
	local, _ := filepath.Glob("../testdata/npm-local/*/app/package-lock.json")
	for _, lock := range append(projects, local...) {
		dir := filepath.Dir(lock)
		name := filepath.Base(dir)
		if name == "app" {
			name = "local-" + filepath.Base(filepath.Dir(dir))
		}
		t.Run(name, func(t *testing.T) {
			if why, err := os.ReadFile(filepath.Join(dir, "NO-E2E")); err == nil {
				t.Skip(strings.TrimSpace(string(why)))
			}
			runNpmSh(t, dir)
		})
	}
}

// TestNativeNeedsPython builds the native project's node_modules with
// install scripts and no python (nodejs.python and python3 both null):
// node-gyp must fail for want of it, which proves that the builders'
// python is what makes TestNpm's build work without overrides.
func TestNativeNeedsPython(t *testing.T) {
	need(t, "nix-build", "npm", "go")
	out := generateNpm(t, "../testdata/npm/native")
	_, err := nixBuild(npmCall(out, "nodejs = pkgs.nodejs // { python = null; }; python3 = null;") + ".nodeModules")
	if err == nil {
		t.Fatal("the native build succeeded without python; the python test proves nothing")
	}
	if !strings.Contains(strings.ToLower(err.Error()), "python") {
		t.Errorf("the build failed, but not for want of python:\n%v", err)
	}
}

// TestOverrideWinsPython gives the native package an override with a
// python3 of its own: node-gyp must find that one (its log names the path),
// before the builders' python. (A nonce in the override's env makes the build new each
// run, so that its log is there to read.)
func TestOverrideWinsPython(t *testing.T) {
	need(t, "nix-build", "npm", "go")
	out := generateNpm(t, "../testdata/npm/native")
	fake := `derivation { name = "override-python"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "/bin/mkdir -p $out/bin && /bin/ln -s /usr/bin/python3 $out/bin/python3" ]; }`
	override := "{ nativeBuildInputs = [ (" + fake + ") ]; env.NONCE = \"" + strconv.FormatInt(time.Now().UnixNano(), 10) + "\"; }"
	_, log, err := nixBuildLog(npmCall(out, "overrides.segfault-handler = "+override+";") + ".nodeModules")
	if err != nil {
		t.Fatalf("nix-build: %v", err)
	}
	if !strings.Contains(log, "-override-python/bin/python3") {
		t.Fatalf("the override's python3 did not run:\n%s", log)
	}
}

// TestNativeGyp loads the native-gyp project's addons, built from source
// by node-gyp with no overrides (their prebuilt downloads fail offline):
// bcrypt hashes and better-sqlite3 runs a query.
func TestNativeGyp(t *testing.T) {
	need(t, "nix-build", "npm", "go", "node")
	out := generateNpm(t, "../testdata/npm/native-gyp")
	tree, err := nixBuild(npmCall(out, "") + ".nodeModules")
	if err != nil {
		t.Fatalf("nix-build: %v", err)
	}
	cmd := exec.Command("node", "-e", `
		const bcrypt = require("bcrypt");
		if (!bcrypt.compareSync("pw", bcrypt.hashSync("pw", 4))) throw new Error("bcrypt");
		const db = new (require("better-sqlite3"))(":memory:");
		console.log(db.prepare("select 40 + 2 as x").get().x);`)
	cmd.Dir = tree
	got, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != "42" {
		t.Fatalf("loading the addons: %v\n%s", err, got)
	}
}

// TestBuildPackage builds projects with the generated file's
// buildPackage: the build script must run offline with node_modules in
// place, and the result must be installed under lib/node_modules. In
// workspace-bin, the project's own bin and its workspace's name files that
// do not exist: neither $out/bin nor node_modules/.bin may link them (as
// npm), and the stand-in's broken-symlink check fails the build otherwise.
func TestBuildPackage(t *testing.T) {
	need(t, "nix-build", "npm", "go")
	for _, c := range []struct {
		name, dir, built, want string
		absent                 []string
		// storeSrc gives src as a store path (as a flake's self or a
		// filtered source is), not a path literal.
		storeSrc bool
		// args are more arguments to buildPackage.
		args string
		// executable lists files of the output that must be executable.
		executable []string
	}{
		{dir: "../testdata/example", built: "lib/node_modules/example/built.txt", want: "1.2.3 ok"},
		{
			// A tool from node_modules/.bin runs (the tree's modes are
			// kept), and the build can write into node_modules, as with npm.
			name: "bin-and-cache", dir: "../testdata/example",
			args:  `postBuild = "semver 1.2.3 > node_modules/.cache-out && mkdir -p node_modules/.cache/x && mv node_modules/.cache-out built.txt";`,
			built: "lib/node_modules/example/built.txt", want: "1.2.3\n",
			executable: []string{"lib/node_modules/example/node_modules/semver/bin/semver.js", "lib/node_modules/example/node_modules/.bin/semver"},
		},
		{
			dir: "../testdata/npm/workspace-bin", built: "lib/node_modules/workspace-bin/out/built.txt", want: "1000\n",
			absent: []string{"bin/workspace-bin-never", "lib/node_modules/workspace-bin/node_modules/.bin/democli"},
		},
		{
			name: "workspace-bin-store-src", storeSrc: true,
			dir: "../testdata/npm/workspace-bin", built: "lib/node_modules/workspace-bin/out/built.txt", want: "1000\n",
			absent: []string{"bin/workspace-bin-never", "lib/node_modules/workspace-bin/node_modules/.bin/democli"},
		},
	} {
		name := c.name
		if name == "" {
			name = filepath.Base(c.dir)
		}
		t.Run(name, func(t *testing.T) {
			out := generateNpm(t, c.dir)
			src, _ := filepath.Abs(c.dir)
			if c.storeSrc {
				src = "(builtins.path { path = " + src + "; name = \"src\"; })"
			}
			res, err := nixBuild(npmCall(out, "src = "+src+";") + ".buildPackage { " + c.args + " }")
			if err != nil {
				t.Fatalf("nix-build buildPackage: %v", err)
			}
			built, err := os.ReadFile(filepath.Join(res, c.built))
			if err != nil {
				t.Fatal(err)
			}
			if string(built) != c.want {
				t.Errorf("%s = %q, want the build script's output %q", c.built, built, c.want)
			}
			for _, p := range c.executable {
				if fi, err := os.Stat(filepath.Join(res, p)); err != nil || fi.Mode()&0o111 == 0 {
					t.Errorf("%s is not executable (%v)", p, err)
				}
			}
			for _, p := range c.absent {
				if _, err := os.Lstat(filepath.Join(res, p)); err == nil {
					t.Errorf("%s exists: a link to a missing bin", p)
				}
			}
		})
	}
}

// TestNpmGit makes a git repository and a project that depends on it
// (git+file://, so nothing leaves the machine), locks it with npm, and
// runs npm.sh: the dependency, fetched by commit with builtins.fetchGit
// and packed as npm packs it (its "files" only, modes kept), must match
// npm ci's.
func TestNpmGit(t *testing.T) {
	need(t, "nix-build", "npm", "node", "git")
	work := nixReadableTempDir(t)
	repo, proj := filepath.Join(work, "repo"), filepath.Join(work, "proj")
	files := map[string]string{
		"repo/package.json": `{ "name": "tiny-git", "version": "1.0.0", "main": "index.js", "files": ["index.js", "lib/"], "bin": { "tiny-git": "cli.js" } }`,
		"repo/index.js":     `module.exports = require("./lib/x.js");`,
		"repo/lib/x.js":     `module.exports = 42;`,
		"repo/NOTES.md":     "not in the package: npm pack leaves it out\n",
		"repo/cli.js":       "#!/usr/bin/env node\nconsole.log(require('./index.js'))\n",
		// Executable and no bin: the package keeps its mode, as npm packs it.
		"repo/lib/run.sh":   "#!/bin/sh\necho run\n",
		"proj/package.json": `{ "name": "gitproj", "version": "1.0.0", "dependencies": { "tiny-git": "git+file://` + repo + `" } }`,
	}
	for name, data := range files {
		p := filepath.Join(work, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "init"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	lock := exec.Command("npm", "install", "--package-lock-only", "--no-audit", "--no-fund")
	lock.Dir = proj
	if out, err := lock.CombinedOutput(); err != nil {
		t.Fatalf("npm install --package-lock-only: %v\n%s", err, out)
	}
	// The repository lies beside the project: inside the boundary
	// (git+file: repositories are held to it).
	t.Setenv("LOCK2NIX_FLAGS", "--root "+work)
	runNpmSh(t, proj)
}

// TestNpmGitFolder: git dependencies that name folders of one repository
// (git+file://…#COMMIT::path:DIR, npm's gitSubdir, kept in the lock for
// a full-commit spec): npm.sh's tree, each package the folder of the
// commit's checkout packed as npm packs it, must match npm ci's, beside a
// dependency on the whole repository.
func TestNpmGitFolder(t *testing.T) {
	need(t, "nix-build", "npm", "node", "git")
	work := nixReadableTempDir(t)
	repo, proj := filepath.Join(work, "repo"), filepath.Join(work, "proj")
	files := map[string]string{
		"repo/package.json":            `{ "name": "mono", "version": "1.0.0", "private": false, "main": "root.js" }`,
		"repo/root.js":                 `module.exports = "root";`,
		"repo/packages/a/package.json": `{ "name": "fa", "version": "1.2.0", "main": "index.js", "files": ["index.js", "lib/"], "bin": { "fa": "cli.js" } }`,
		"repo/packages/a/index.js":     `module.exports = require("./lib/x.js");`,
		"repo/packages/a/lib/x.js":     `module.exports = "a";`,
		"repo/packages/a/cli.js":       "#!/usr/bin/env node\nconsole.log(require('./index.js'))\n",
		"repo/packages/a/NOTES.md":     "not in the package: npm pack leaves it out\n",
		"repo/packages/b/package.json": `{ "name": "fb", "version": "2.0.0", "main": "b.js" }`,
		"repo/packages/b/b.js":         `module.exports = "b";`,
		"repo/packages/b/run.sh":       "#!/bin/sh\necho run\n",
	}
	for name, data := range files {
		p := filepath.Join(work, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
	}
	var commit string
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "init"}, {"rev-parse", "HEAD"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		commit = strings.TrimSpace(string(out))
	}
	spec := "git+file://" + repo + "#" + commit
	pkg := `{ "name": "folderproj", "version": "1.0.0", "dependencies": { "fa": "` + spec + `::path:packages/a", "fb": "` + spec + `::path:packages/b", "mono": "` + spec + `" } }`
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proj, "package.json"), []byte(pkg), 0o644); err != nil {
		t.Fatal(err)
	}
	lock := exec.Command("npm", "install", "--package-lock-only", "--no-audit", "--no-fund")
	lock.Dir = proj
	if out, err := lock.CombinedOutput(); err != nil {
		t.Fatalf("npm install --package-lock-only: %v\n%s", err, out)
	}
	text, err := os.ReadFile(filepath.Join(proj, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "::path:packages/a\"") || !strings.Contains(string(text), "::path:packages/b\"") {
		t.Fatalf("npm's lock keeps no folder (another npm?):\n%s", text)
	}
	// The repository lies beside the project: inside the boundary.
	t.Setenv("LOCK2NIX_FLAGS", "--root "+work)
	runNpmSh(t, proj)
}

// TestDirectoriesBin: a package without "bin" but with directories.bin
// gets its bins linked in the tree (a dependency, packed by npm: the tree
// equals npm ci's, .bin included) and in buildPackage's $out/bin (the
// project itself), as npm normalises directories.bin.
func TestDirectoriesBin(t *testing.T) {
	need(t, "nix-build", "npm", "node")
	work := nixReadableTempDir(t)
	dep, proj := filepath.Join(work, "dirbin"), filepath.Join(work, "proj")
	files := map[string]string{
		"dirbin/package.json":         `{ "name": "dirbin", "version": "1.0.0", "directories": { "bin": "scripts" } }`,
		"dirbin/scripts/dirbin-hello": "#!/usr/bin/env node\nconsole.log('hello')\n",
		"proj/package.json":           `{ "name": "dirproj", "version": "1.0.0", "directories": { "bin": "tools" }, "scripts": { "build": "dirbin-hello > said.txt" }, "dependencies": { "dirbin": "file:dirbin-1.0.0.tgz" } }`,
		"proj/tools/dirproj-tool":     "#!/bin/sh\necho tool\n",
	}
	for name, data := range files {
		p := filepath.Join(work, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		dir  string
		args []string
	}{
		{dep, []string{"pack", "--pack-destination", proj}},
		{proj, []string{"install", "--package-lock-only", "--offline", "--no-audit", "--no-fund"}},
	} {
		cmd := exec.Command("npm", c.args...)
		cmd.Dir = c.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm %v: %v\n%s", c.args, err, out)
		}
	}
	runNpmSh(t, proj)
	out := generateNpm(t, proj)
	tree, err := nixBuild(npmCall(out, "src = "+proj+";") + ".nodeModules")
	if err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(filepath.Join(tree, "node_modules/.bin/dirbin-hello")); err != nil || target != "../dirbin/scripts/dirbin-hello" {
		t.Errorf("the tree's node_modules/.bin/dirbin-hello: %q, %v", target, err)
	}
	res, err := nixBuild(npmCall(out, "src = "+proj+";") + ".buildPackage { }")
	if err != nil {
		t.Fatal(err)
	}
	said, err := os.ReadFile(filepath.Join(res, "lib/node_modules/dirproj/said.txt"))
	if err != nil || string(said) != "hello\n" {
		t.Errorf("the build script ran the dependency's bin: %q, %v", said, err)
	}
	ran, err := exec.Command(filepath.Join(res, "bin/dirproj-tool")).Output()
	if err != nil || string(ran) != "tool\n" {
		t.Errorf("$out/bin/dirproj-tool: %q, %v", ran, err)
	}
}

// TestWorkspaceClosure builds one workspace's own node_modules: what its
// dependencies resolve to from its folder, transitively, and nothing else.
func TestWorkspaceClosure(t *testing.T) {
	need(t, "nix-build", "npm", "go")
	out := generateNpm(t, "../testdata/npm/workspace")
	src, _ := filepath.Abs("../testdata/npm/workspace")
	root, err := nixBuild(npmCall(out, "src = "+src+";") + ".workspaces.b.nodeModules")
	if err != nil {
		t.Fatalf("nix-build: %v", err)
	}
	var got []string
	for _, pattern := range []string{"node_modules/*", "node_modules/@*/*", "packages/*/node_modules/*"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, p := range m {
			if rel, _ := filepath.Rel(root, p); !strings.HasPrefix(filepath.Base(rel), "@") {
				got = append(got, rel)
			}
		}
	}
	sort.Strings(got)
	// b needs @demo/a (a workspace, linked), ms, and its own semver 7;
	// @demo/a needs semver 6 from the root. is-number, the root's dev
	// dependency, is not b's.
	want := []string{"node_modules/.bin", "node_modules/@demo/a", "node_modules/ms", "node_modules/semver", "packages/b/node_modules/.bin", "packages/b/node_modules/semver"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("workspace b's node_modules (-want +got):\n%s", diff)
	}
}

// TestRestrictiveTarball installs a package whose archive holds folders
// its owner may not enter (pngjs 5.0.0 ships coverage/ and
// coverage/lcov-report/ as drw-rw-rw-), .gitignore files and a link, and
// compares the result with npm's extraction of the same archive.
func TestRestrictiveTarball(t *testing.T) {
	need(t, "nix-build", "npm", "node")
	work := nixReadableTempDir(t)
	writeFiles(t, work, map[string]string{
		"proj/package.json": `{ "name": "restrictive", "version": "1.0.0", "dependencies": { "locked-dir": "file:locked-dir-1.0.0.tgz" } }`,
	})
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range []struct {
		name, body, link string
		dir              bool
	}{
		// The folders' own entries first, then files elsewhere, then files
		// inside them: tar restores a folder's mode once it has left it.
		{name: "package/", dir: true},
		{name: "package/coverage/", dir: true},
		{name: "package/coverage/lcov-report/", dir: true},
		{name: "package/coverage/lcov.info", body: "TN:\n"},
		{name: "package/package.json", body: `{ "name": "locked-dir", "version": "1.0.0", "main": "index.js" }`},
		{name: "package/index.js", body: "module.exports = 1;\n"},
		{name: "package/coverage/lcov-report/index.html", body: "<html></html>\n"},
		// npm renames .gitignore to .npmignore, or drops it next to one.
		{name: "package/.gitignore", body: "node_modules\n"},
		{name: "package/sub/.npmignore", body: "a\n"},
		{name: "package/sub/.gitignore", body: "b\n"},
		// npm leaves links out.
		{name: "package/link-to-index.js", link: "index.js"},
	} {
		h := &tar.Header{Name: e.name, Mode: 0o666, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		if e.dir {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if e.link != "" {
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	tw.Close()
	gz.Close()
	if err := os.WriteFile(filepath.Join(work, "proj", "locked-dir-1.0.0.tgz"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	lock := exec.Command("npm", "install", "--package-lock-only", "--no-audit", "--no-fund")
	lock.Dir = filepath.Join(work, "proj")
	if out, err := lock.CombinedOutput(); err != nil {
		t.Fatalf("npm install --package-lock-only: %v\n%s", err, out)
	}
	runNpmSh(t, filepath.Join(work, "proj"))
}

// TestStandinBrokenSymlinks proves the stand-in's stdenv fails a build
// whose output holds a dangling or a reflexive symlink, as nixpkgs' does,
// and passes one whose links resolve.
func TestStandinBrokenSymlinks(t *testing.T) {
	need(t, "nix-build")
	for _, c := range []struct {
		name, install string
		ok            bool
	}{
		{"good", "mkdir -p $out/a && touch $out/a/f && ln -s a/f $out/l && ln -s $out/a $out/abs", true},
		{"dangling", "mkdir -p $out && ln -s missing $out/l", false},
		{"reflexive", "mkdir -p $out && ln -s l $out/l", false},
		{"opt-out", "mkdir -p $out && ln -s missing $out/l; dontCheckForBrokenSymlinks=1", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := nixBuild(`pkgs.stdenv.mkDerivation { name = "links-` + c.name + `"; dontUnpack = true; installPhase = "` + c.install + `"; }`)
			if c.ok && err != nil {
				t.Fatalf("the build failed: %v", err)
			}
			if !c.ok && (err == nil || !strings.Contains(err.Error(), "broken symlinks")) {
				t.Fatalf("want a failure for broken symlinks, got %v", err)
			}
		})
	}
}

// TestNpmLinkToInstalled lays out a lockfile (written here) whose link
// entry points to another installed entry, "node_modules/ms-alias" →
// "node_modules/ms": the tree must hold the link, as npm ci's does.
func TestNpmLinkToInstalled(t *testing.T) {
	need(t, "nix-build", "npm", "node")
	work := nixReadableTempDir(t)
	deps := `{ "ms": "^2.1.3", "ms-alias": "file:node_modules/ms" }`
	writeFiles(t, work, map[string]string{
		"proj/package.json": `{ "name": "linkproj", "version": "1.0.0", "dependencies": ` + deps + ` }`,
		"proj/package-lock.json": `{ "name": "linkproj", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {
			"": { "name": "linkproj", "version": "1.0.0", "dependencies": ` + deps + ` },
			"node_modules/ms": { "version": "2.1.3", "resolved": "https://registry.npm.test/ms/-/ms-2.1.3.tgz",
				"integrity": "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==" },
			"node_modules/ms-alias": { "resolved": "node_modules/ms", "link": true } } }`,
	})
	out := runNpmSh(t, filepath.Join(work, "proj"))
	if !strings.Contains(out, "2 top-level dependencies load") {
		t.Error("ms-alias did not load through the link")
	}
}
