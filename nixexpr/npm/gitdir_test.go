package npm

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/fetchtest"
	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/lockfile"
)

// gitDirGraph is a project with the packages a and b, each a folder of
// one git commit (npm's "#COMMIT::path:DIR"), and c, the whole
// repository.
func gitDirGraph(url, rev, dirA, dirB string) *lockfile.Graph {
	src := func(dir string) lockfile.Source {
		return lockfile.Source{Kind: lockfile.Git, URL: url, Rev: rev, Dir: dir}
	}
	pkg := func(name, dir string) *lockfile.Package {
		return &lockfile.Package{ID: name + "@1.0.0", Name: name, Version: "1.0.0", Source: src(dir), Installs: []lockfile.Install{{Path: "node_modules/" + name}}}
	}
	return &lockfile.Graph{
		Root: lockfile.Root{Name: "p", Version: "1.0.0", Deps: []lockfile.Edge{
			{Name: "a", Kind: lockfile.DepProd}, {Name: "b", Kind: lockfile.DepProd}, {Name: "c", Kind: lockfile.DepProd}}},
		Packages: []*lockfile.Package{pkg("a", dirA), pkg("b", dirB), pkg("c", "")},
	}
}

// TestGitDirRecord: a package in a folder of a git checkout is recorded
// with its gitDir, which older builders would ignore (installing the
// whole repository), so the file is schema 3; the folders of one commit
// share its fetch; a file without one is the same bytes as before
// (schema 1). A folder that could lead out of the checkout, or one of a
// source that is no checkout, is refused.
func TestGitDirRecord(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	emit := func(g *lockfile.Graph) (string, error) {
		var b bytes.Buffer
		err := Emit(&b, g, header)
		return b.String(), err
	}
	got, err := emit(gitDirGraph("https://git.example/r.git", rev, "packages/a", "packages/b"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# lock2nix npm data, schema 3,",
		"schema = 3;",
		`"a@1.0.0": {"source":"git","gitDir":"packages/a","installs":{"node_modules/a":[]}},`,
		`"b@1.0.0": {"source":"git","src":"a@1.0.0","gitDir":"packages/b","installs":{"node_modules/b":[]}},`,
		`"c@1.0.0": {"source":"git","src":"a@1.0.0","installs":{"node_modules/c":[]}}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the file lacks %s:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "rev = "); n != 1 {
		t.Errorf("%d fetches of one commit:\n%s", n, got)
	}
	var s bytes.Buffer
	if err := EmitStandalone(&s, gitDirGraph("https://git.example/r.git", rev, "packages/a", "packages/b"), header); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.String(), "schema = 3;") || strings.Contains(s.String(), "\n  fetchzip,\n") {
		t.Errorf("the standalone file is not schema 3, or takes fetchzip:\n%.800s", s.String())
	}

	whole, err := emit(gitDirGraph("https://git.example/r.git", rev, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(whole, "schema = 1;") || strings.Contains(whole, "gitDir") {
		t.Errorf("a file without folders:\n%s", whole)
	}

	for _, dir := range []string{"../x", "a/../../x", "/etc", "a//b", "a/./b", `a\b`, "%2e%2e", "a:b", "a\x00"} {
		if _, err := emit(gitDirGraph("https://git.example/r.git", rev, dir, "b")); err == nil {
			t.Errorf("the folder %q was written", dir)
		}
	}
	g := gitDirGraph("https://git.example/r.git", rev, "a", "b")
	g.Packages[0].Source = lockfile.Source{Kind: lockfile.Tarball, URL: "https://r.test/a.tgz", Dir: "a"}
	if _, err := emit(g); err == nil || !strings.Contains(err.Error(), "no git checkout") {
		t.Errorf("a folder of a tarball: err = %v", err)
	}
}

// TestGitDirBuild builds, with real Nix, packages that are folders of a
// git repository made in the test (fetchGit on a file:// URL): each
// package's files are its folder's, packed as npm packs a git
// dependency, and not the repository's; the whole repository stays what
// it was. A folder that is missing, a file, or a symbolic link (to a
// folder outside the checkout, or inside it) is refused when Nix
// evaluates, naming the package and the name at fault.
func TestGitDirBuild(t *testing.T) {
	nixtest.Need(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	work := t.TempDir()
	repo := filepath.Join(work, "repo")
	files := map[string]string{
		"package.json":            `{"name": "c", "version": "1.0.0"}`,
		"root.js":                 "module.exports = 'root';\n",
		"packages/a/package.json": `{"name": "a", "version": "1.0.0", "files": ["index.js"]}`,
		"packages/a/index.js":     "module.exports = 'a';\n",
		"packages/a/notes.md":     "left out by files\n",
		"packages/b/package.json": `{"name": "b", "version": "1.0.0"}`,
		"packages/b/b.js":         "module.exports = 'b';\n",
		"afile":                   "a file, not a folder\n",
	}
	fetchtest.WriteFiles(t, repo, files)
	outside := filepath.Join(work, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "package.json"), []byte(`{"name": "secret", "version": "1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"out": outside, "up": "..", "in": "packages/a", "packages/deep": "../packages"} {
		if err := os.Symlink(target, filepath.Join(repo, link)); err != nil {
			t.Fatal(err)
		}
	}
	rev := fetchtest.Commit(t, repo)

	write := func(g *lockfile.Graph) string {
		var b bytes.Buffer
		if err := Emit(&b, g, header); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "lock.nix")
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	call := func(file string) string {
		return nixtest.WithBuilders(nixtest.Repo(t), repoRoot(t), "npm", `(npm { file = `+file+`; src = `+work+`; })`)
	}

	file := write(gitDirGraph("file://"+repo, rev, "packages/a", "packages/b"))
	cmd := exec.Command("nix-build", "--no-out-link", "-E", call(file)+".nodeModules")
	cmd.Env = append(os.Environ(), "NIX_CONFIG=sandbox = false\nsubstituters =")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nix-build: %v\n%s", err, stderr.String())
	}
	tree := filepath.Join(strings.TrimSpace(string(out)), "node_modules")
	list := func(dir string) []string {
		var names []string
		err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if !info.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				names = append(names, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	for pkg, want := range map[string]string{
		"a": "[index.js package.json]",
		"b": "[b.js package.json]",
	} {
		got := list(filepath.Join(tree, pkg))
		if s := strings.Join(got, " "); "["+s+"]" != want {
			t.Errorf("node_modules/%s holds %v, want %s", pkg, got, want)
		}
	}
	// c is the whole repository.
	for _, f := range []string{"root.js", "packages/a/notes.md", "packages/b/b.js"} {
		if _, err := os.Stat(filepath.Join(tree, "c", f)); err != nil {
			t.Errorf("node_modules/c, the repository: %v", err)
		}
	}
	var manifest struct{ Name string }
	if data, err := os.ReadFile(filepath.Join(tree, "a", "package.json")); err != nil {
		t.Error(err)
	} else if err := json.Unmarshal(data, &manifest); err != nil || manifest.Name != "a" {
		t.Errorf("node_modules/a/package.json names %q (%v), want a", manifest.Name, err)
	}

	for _, tc := range []struct{ dir, edit, want string }{
		{"missing", "", `a@1.0.0 is the folder "missing" of its git checkout, but there "missing" is missing`},
		{"packages/missing", "", `but there "missing" is missing`},
		{"afile", "", `but there "afile" is a file`},
		{"out", "", `but there "out" is a symbolic link (not followed: it could lead out of the checkout)`},
		{"up/repo", "", `but there "up" is a symbolic link`},
		{"in", "", `but there "in" is a symbolic link`},
		{"packages/deep/a", "", `but there "deep" is a symbolic link`},
		{"x/outside", "../outside", `but there ".." is not a folder's name`},
		{"packages/x", "packages/./a", `but there "." is not a folder's name`},
		{"packages/y", "packages//a", `but there "" is not a folder's name`},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			file := write(gitDirGraph("file://"+repo, rev, tc.dir, "packages/b"))
			if tc.edit != "" {
				// A file lock2nix would not write: edited by hand.
				text, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, bytes.Replace(text, []byte(`"gitDir":"`+tc.dir+`"`), []byte(`"gitDir":"`+tc.edit+`"`), 1), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			msg, err := nixtest.Eval(call(file) + `.unpacked."a@1.0.0".drvPath`)
			if err == nil {
				t.Fatalf("evaluated: %s", msg)
			}
			if !strings.Contains(string(msg), tc.want) {
				t.Errorf("the message lacks %q:\n%s", tc.want, msg)
			}
		})
	}
}

// TestGitDirOlderBuildersRefuse gives a schema 3 file (a package in a
// folder of a git checkout) to builders that read schemas 1 and 2 (this
// repository's, entry.nix's list cut back, as the release before): they
// refuse it, naming both schemas and asking for a newer lock2nix, rather
// than install the whole repository in the folder's place.
func TestGitDirOlderBuildersRefuse(t *testing.T) {
	nixtest.Need(t)
	repo := repoRoot(t)
	older := t.TempDir()
	for _, f := range []string{"default.nix", "nixexpr/sources.nix", "nixexpr/local.nix", "nixexpr/schema.nix", "nixexpr/node/modules.nix", "nixexpr/node/modules.js", "nixexpr/node/devshell.sh", "nixexpr/node/entry.nix", "nixexpr/npm/entry.nix", "nixexpr/npm/builders.nix", "nixexpr/npm/layout.js"} {
		text, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "nixexpr/npm/entry.nix" {
			cut := bytes.Replace(text, []byte("    2\n    3\n  ];"), []byte("    2\n  ];"), 1)
			if bytes.Equal(cut, text) {
				t.Fatal("entry.nix lists no schemas 2 and 3 to cut back")
			}
			text = cut
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(older, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(older, f), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := Emit(&b, gitDirGraph("https://git.example/r.git", "0123456789abcdef0123456789abcdef01234567", "packages/a", "packages/b"), header); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "lock.nix")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	expr := `(npm { file = ` + file + `; src = ` + t.TempDir() + `; fetchGit = a: "/git/${a.rev}"; }).packages."a@1.0.0".gitDir`
	if out, err := tryEvalNix(t, repo, expr); err != nil || strings.TrimSpace(string(out)) != `"packages/a"` {
		t.Fatalf("this repository's builders read the file's gitDir as %s (%v)", out, err)
	}
	msg, err := tryEvalNix(t, older, expr)
	if err == nil {
		t.Fatalf("the older builders read a schema 3 file: %s", msg)
	}
	for _, want := range []string{"the npm data file has schema 3", "these builders read schema 2", "update lock2nix"} {
		if !strings.Contains(string(msg), want) {
			t.Errorf("the message lacks %q:\n%s", want, msg)
		}
	}
}
