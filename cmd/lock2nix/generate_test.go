package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/internal/fetchtest"
	"github.com/rogpeppe/go-internal/txtar"
)

// writeRepo writes testdata/repo.txtar into a new folder and returns it.
func writeRepo(t *testing.T) string {
	t.Helper()
	a, err := txtar.ParseFile("../../testdata/repo.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range a.Files {
		name := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestGenerateJobs runs generate one project at a time and several at
// once: the files and everything printed are the same bytes.
func TestGenerateJobs(t *testing.T) {
	dir := writeRepo(t)
	files := []string{"web/package-lock.nix", "tools/package-lock.nix", "ocaml/dune-lock.nix"}
	type result struct {
		files                   map[string]string
		stderr, report, rStderr string
	}
	generate := func(jobs string) result {
		for _, f := range files {
			os.Remove(filepath.Join(dir, f))
		}
		var out, errb bytes.Buffer
		if code := run([]string{"generate", dir, "-j", jobs}, &out, &errb); code != exitOK {
			t.Fatalf("-j %s: exit %d\n%s", jobs, code, errb.String())
		}
		r := result{files: map[string]string{}, stderr: errb.String()}
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			r.files[f] = string(data)
		}
		out.Reset()
		errb.Reset()
		if code := run([]string{"generate", dir, "-j", jobs, "--report=json"}, &out, &errb); code != exitOK {
			t.Fatalf("-j %s --report=json: exit %d\n%s", jobs, code, errb.String())
		}
		r.report, r.rStderr = out.String(), errb.String()
		if !json.Valid(out.Bytes()) {
			t.Fatalf("--report=json is not JSON:\n%s", out.String())
		}
		return r
	}
	one := generate("1")
	for _, jobs := range []string{"2", "8"} {
		if diff := cmp.Diff(one, generate(jobs), cmp.AllowUnexported(result{})); diff != "" {
			t.Errorf("-j 1 and -j %s differ (-1 +%s):\n%s", jobs, jobs, diff)
		}
	}
}

// TestRepoFormats keeps nix/repo.nix's table of formats in step with the
// commands: each format's projects get the same file.
func TestRepoFormats(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("Nix is not installed")
	}
	out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E",
		`((import ../../nix/lib.nix { lock2nix = _: null; }).repo { pkgs.stdenv.hostPlatform.system = "x"; src = ./.; }).outputs`).Output()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, c := range commands {
		want[c.name] = c.defOut(".")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nix/repo.nix's formats differ from cmd/lock2nix's commands (-commands +repo.nix): add an entry for each format to formats in nix/repo.nix:\n%s", diff)
	}
}

// TestDiscover finds the projects below a root inside a repository: git's
// ignore rules from the repository's top down (.git/info/exclude, the
// .gitignore files above the root and in it, negations), the folders
// always skipped, the config file's exclusions, two formats in one folder.
func TestDiscover(t *testing.T) {
	top := t.TempDir()
	for name, data := range map[string]string{
		".git/info/exclude":                      "excluded-by-git/\n",
		".gitignore":                             "ignored-above/\n",
		"sub/.gitignore":                         "*.json\n!package-lock.json\ndist/\n",
		"sub/ok/package-lock.json":               "",
		"sub/ok/npm-shrinkwrap.json":             "",
		"sub/both/package-lock.json":             "",
		"sub/both/dune.lock/lock.dune":           "",
		"sub/excluded-by-git/package-lock.json":  "",
		"sub/ignored-above/package-lock.json":    "",
		"sub/dist/package-lock.json":             "",
		"sub/deep/dist/package-lock.json":        "",
		"sub/deep/.gitignore":                    "!dist/\n",
		"sub/x/_opam/lib/dune.lock/lock.dune":    "",
		"sub/x/_build/default/dune.lock/a.pkg":   "",
		"sub/x/node_modules/a/package-lock.json": "",
		"sub/by-config/package-lock.json":        "",
		"sub/nested/a/b/dune.lock/lock.dune":     "",
		"sub/nested/a-b/package-lock.json":       "",
	} {
		name = filepath.Join(top, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfgFile := filepath.Join(top, "sub", configName)
	if err := os.WriteFile(cfgFile, []byte("exclude = [\"by-config\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := readConfig(cfgFile, true)
	if err != nil {
		t.Fatal(err)
	}
	projects, err := discover(filepath.Join(top, "sub"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range projects {
		got = append(got, p.c.name+" "+p.dir)
	}
	// sub/dist is ignored, deep/dist re-included by deep's own .gitignore;
	// ok's shrinkwrap is ignored (*.json), its package-lock.json is not.
	want := []string{"npm both", "dune both", "npm deep/dist", "dune nested/a/b", "npm nested/a-b", "npm ok"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("projects (-want +got):\n%s", diff)
	}
}

// TestGenerateProgress: on a terminal, a line says how many projects are
// done, and is cleared at the end.
func TestGenerateProgress(t *testing.T) {
	var progress bytes.Buffer
	g := &generation{gf: generateFlags{jobs: 2}, projects: make([]project, 3), progress: &progress}
	g.parallel("reading", func(int) {})
	want := "\r\033[Klock2nix generate: reading 1/3 projects\r\033[Klock2nix generate: reading 2/3 projects\r\033[Klock2nix generate: reading 3/3 projects\r\033[K"
	if got := progress.String(); got != want {
		t.Errorf("progress = %q, want %q", got, want)
	}
}

// TestGeneratePrefetch: generate --prefetch records each project's
// unpinned sources in that project's own pins file; then a plain run,
// offline, writes every file.
func TestGeneratePrefetch(t *testing.T) {
	srv := fetchtest.NewServer(t, map[string]string{"/a-1.0.0.tgz": "a's bytes", "/b-1.0.0.tgz": "b's bytes"})
	root := t.TempDir()
	lock := func(name string) string {
		return `{ "lockfileVersion": 3, "packages": { "": { "dependencies": { "` + name + `": "1" } }, "node_modules/` + name + `": { "version": "1.0.0", "resolved": "` + srv.URL + `/` + name + `-1.0.0.tgz" } } }`
	}
	writeFiles(t, root, map[string]string{
		"one/package-lock.json": lock("a"), "one/package.json": `{ "dependencies": { "a": "1" } }`,
		"two/package-lock.json": lock("b"), "two/package.json": `{ "dependencies": { "b": "1" } }`,
	})
	if code, stderr := lock2nix(t, "generate", root); code != exitFailure || !strings.Contains(stderr, "2 failed") {
		t.Fatalf("offline, unpinned: exit %d\n%s", code, stderr)
	}
	if code, stderr := lock2nix(t, "generate", root, "--prefetch"); code != exitOK {
		t.Fatalf("--prefetch: exit %d\n%s", code, stderr)
	}
	mustContain(t, "one's pins", readFile(t, filepath.Join(root, "one", "lock2nix-pins.toml")), "/a-1.0.0.tgz")
	mustContain(t, "two's pins", readFile(t, filepath.Join(root, "two", "lock2nix-pins.toml")), "/b-1.0.0.tgz")
	if strings.Contains(readFile(t, filepath.Join(root, "one", "lock2nix-pins.toml")), "/b-1.0.0.tgz") {
		t.Error("one's pins file holds two's source")
	}
	srv.Reset()
	if code, stderr := lock2nix(t, "generate", root, "--check"); code != exitOK {
		t.Fatalf("--check after --prefetch: exit %d\n%s", code, stderr)
	}
	if n := srv.Requests(); n != 0 {
		t.Errorf("--check made %d requests", n)
	}
}

func TestFromProject(t *testing.T) {
	got := fromProject("repo/web", []string{"--registry", "x", "--pins", "p.toml", "--root=..", "--root", "/abs", "--pins"})
	want := []string{"--registry", "x", "--pins", filepath.Join("repo/web", "p.toml"), "--root=repo", "--root", "/abs", "--pins"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fromProject (-want +got):\n%s", diff)
	}
}

// TestGenerateHostileFolder: a project's folder named with a newline and a
// terminal escape (a repository is as untrusted as its lockfiles) is
// refused as a failed project, named escaped in generate's summary and its
// failed list, with the reason; no per-project message (the unpinned
// stop's input path and prefetch command, the stale-pins warning, the
// out-of-sync header, --check's) names it raw, as none is printed for it.
// Every line stays one line, none drives a terminal, and the other
// project is written.
func TestGenerateHostileFolder(t *testing.T) {
	root := t.TempDir()
	dir := "a\nlock2nix generate: forged\x1b[31m"
	// A tarball without integrity (the unpinned stop), a pins file entry
	// the lock does not use (the stale-pins warning), and a dependency
	// package.json asks for that the lock lacks (out of sync).
	lock := `{"name": "p", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {"": {"name": "p", "version": "1.0.0", "dependencies": {"a": "^1.0.0"}}, "node_modules/a": {"version": "1.0.0", "resolved": "https://registry.npm.test/a/-/a-1.0.0.tgz"}}}`
	pinsFile := "[tarball]\n\"https://registry.npm.test/gone/-/gone-1.0.0.tgz\" = { hash = \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==\" }\n"
	okLock := `{"name": "q", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {"": {"name": "q", "version": "1.0.0"}}}`
	writeFiles(t, root, map[string]string{
		dir + "/package-lock.json": lock, dir + "/package.json": `{"name": "p", "version": "1.0.0", "dependencies": {"a": "^1.0.0", "b": "^1.0.0"}}`,
		dir + "/lock2nix-pins.toml": pinsFile,
		"ok/package-lock.json":      okLock, "ok/package.json": `{"name": "q", "version": "1.0.0"}`,
	})
	escaped := `a\nlock2nix generate: forged\x1b[31m`
	for _, args := range [][]string{nil, {"--check"}, {"--report"}, {"--prefetch"}, {"config"}} {
		what := strings.Join(append([]string{"generate"}, args...), " ")
		if args != nil && args[0] == "config" {
			// Past the sync check to the unpinned stop: a project's
			// flags come from the config file.
			writeFiles(t, root, map[string]string{"lock2nix.toml": "[npm.\"a\\nlock2nix generate: forged\\u001b[31m\"]\nflags = [\"--allow-out-of-sync\"]\n"})
			args = nil
		}
		code, stderr := lock2nix(t, append([]string{"generate", root}, args...)...)
		if code == exitOK {
			t.Errorf("%s: exit 0\n%s", what, stderr)
		}
		if strings.Contains(stderr, "\nlock2nix generate: forged") || strings.ContainsFunc(stderr, func(r rune) bool { return r != '\n' && (r < ' ' || r == 0x7f) }) {
			t.Errorf("%s: a folder's name split a line or reached the terminal:\n%q", what, stderr)
		}
		mustContain(t, what, stderr,
			"npm   "+filepath.Join(root, escaped)+"  failed",
			"lock2nix npm: "+filepath.Join(root, escaped)+": the folder's path holds characters that do not print, so no message or command could name it; generate leaves it out: rename it",
			"lock2nix generate: failed: "+filepath.Join(root, escaped)+"\n",
			filepath.Join(root, "ok")+" ")
		for _, raw := range []string{"no longer needs", "no hash or commit", "out of sync", "is stale"} {
			if strings.Contains(stderr, raw) {
				t.Errorf("%s: a per-project message about the refused folder (%q):\n%s", what, raw, stderr)
			}
		}
	}
}
