package pnpm

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/fetchtest"
	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// gitDirLock is a pnpm lock with a and b, folders of one git commit of
// repo (pnpm's "&path:/DIR"), and c, the whole repository; "" for a
// folder leaves the path out.
func gitDirLock(repo, commit, dirA, dirB string) string {
	spec := func(dir string) string {
		if dir == "" {
			return "git+" + repo + "#" + commit
		}
		return "git+" + repo + "#" + commit + "&path:/" + dir
	}
	res := func(dir string) string {
		r := "{commit: " + commit + ", repo: '" + repo + "', type: git"
		if dir != "" {
			r += ", path: /" + dir
		}
		return r + "}"
	}
	var b strings.Builder
	b.WriteString("lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n")
	pkgs := []struct{ name, dir string }{{"a", dirA}, {"b", dirB}, {"c", ""}}
	for _, p := range pkgs {
		b.WriteString("      " + p.name + ":\n        specifier: '" + spec(p.dir) + "'\n        version: '" + spec(p.dir) + "'\n")
	}
	b.WriteString("packages:\n")
	for _, p := range pkgs {
		b.WriteString("  '" + p.name + "@" + spec(p.dir) + "':\n    resolution: " + res(p.dir) + "\n    version: 1.0.0\n")
	}
	b.WriteString("snapshots:\n")
	for _, p := range pkgs {
		b.WriteString("  '" + p.name + "@" + spec(p.dir) + "': {}\n")
	}
	return b.String()
}

var gitDirHeader = nixexpr.Header{Generator: "test", Input: "pnpm-lock.yaml", Command: "lock2nix pnpm"}

// TestGitDirData: a package in a folder of a git checkout is written with
// its gitDir, which schema 1's builders would ignore (installing the
// whole repository), so the file is schema 2; the folders of one commit
// share its fetch; a lock without one stays schema 1.
func TestGitDirData(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	var out bytes.Buffer
	if err := Emit(&out, parse(t, gitDirLock("https://git.test/m.git", commit, "packages/a", "packages/b")), gitDirHeader); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"# lock2nix pnpm data, schema 2,", "schema = 2;", `"gitDir":"packages/a"`, `"gitDir":"packages/b"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the file lacks %s:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "rev = "); n != 1 {
		t.Errorf("%d fetches of one commit:\n%s", n, got)
	}
	out.Reset()
	if err := Emit(&out, parse(t, gitDirLock("https://git.test/m.git", commit, "", "")), gitDirHeader); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "schema = 1;") || strings.Contains(got, "gitDir") {
		t.Errorf("a lock without folders:\n%s", got)
	}
}

// TestGitDirBuild builds, with real Nix, a pnpm tree whose packages a and
// b are folders of a git repository made in the test (fetchGit on a
// file:// URL), and c the whole repository: each holds its folder's
// files. A folder that is a symbolic link is refused when Nix evaluates.
func TestGitDirBuild(t *testing.T) {
	nixtest.Need(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	work := t.TempDir()
	repo := filepath.Join(work, "repo")
	fetchtest.WriteFiles(t, repo, map[string]string{
		"package.json":            `{"name": "c", "version": "1.0.0"}`,
		"root.js":                 "module.exports = 'root';\n",
		"packages/a/package.json": `{"name": "a", "version": "1.0.0"}`,
		"packages/a/a.js":         "module.exports = 'a';\n",
		"packages/b/package.json": `{"name": "b", "version": "1.0.0"}`,
		"packages/b/b.js":         "module.exports = 'b';\n",
	})
	if err := os.Symlink("..", filepath.Join(repo, "up")); err != nil {
		t.Fatal(err)
	}
	commit := fetchtest.Commit(t, repo)
	write := func(dirA string) string {
		var b bytes.Buffer
		if err := Emit(&b, parse(t, gitDirLock("file://"+repo, commit, dirA, "packages/b")), gitDirHeader); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "lock.nix")
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return file
	}
	repoDir := nixtest.Repo(t)
	call := func(file string) string {
		return nixtest.WithBuilders(repoDir, repoDir, "pnpm", `(pnpm { file = `+file+`; src = `+work+`; })`)
	}
	cmd := exec.Command("nix-build", "--no-out-link", "-E", call(write("packages/a"))+".nodeModules")
	cmd.Env = append(os.Environ(), "NIX_CONFIG=sandbox = false\nsubstituters =")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nix-build: %v\n%s", err, stderr.String())
	}
	tree := filepath.Join(strings.TrimSpace(string(out)), "node_modules")
	for pkg, want := range map[string][]string{
		"a": {"a.js", "package.json"},
		"b": {"b.js", "package.json"},
		"c": {"package.json", "packages", "root.js"},
	} {
		dir, err := filepath.EvalSymlinks(filepath.Join(tree, pkg))
		if err != nil {
			t.Errorf("node_modules/%s: %v", pkg, err)
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			if e.Name() != "node_modules" && e.Name() != "up" {
				got = append(got, e.Name())
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("node_modules/%s holds %v, want %v", pkg, got, want)
		}
	}

	msg, err := nixtest.Eval(call(write("up/repo")) + ".nodeModules.drvPath")
	if err == nil {
		t.Fatalf("a folder through a symbolic link evaluated: %s", msg)
	}
	if want := `a@git+file://` + repo + `#` + commit + `&path:/up/repo is the folder "up/repo" of its git checkout, but there "up" is a symbolic link`; !strings.Contains(string(msg), want) {
		t.Errorf("the message lacks %q:\n%s", want, msg)
	}
}
