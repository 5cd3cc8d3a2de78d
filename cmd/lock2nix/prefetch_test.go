package main

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lock2nix/lock2nix/internal/fetchtest"
)

// lock2nix runs the command line in a test; it returns the exit code and
// what was printed on standard error.
func lock2nix(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stderr.String()
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, text)
		}
	}
}

// writeFiles writes files (name → text) into dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text), Mode: 0o644}
	}
	// CopyFS writes no file that exists: replace them.
	for name := range files {
		os.Remove(filepath.Join(dir, name))
	}
	if err := os.CopyFS(dir, fsys); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sha1SRI(s string) string {
	d := sha1.Sum([]byte(s))
	return "sha1-" + base64.StdEncoding.EncodeToString(d[:])
}

// unpinnedFetchers finds fetchers without a hash in generated Nix.
var unpinnedFetchers = regexp.MustCompile(`fetchurlUnpinned|builtins\.fetchurl|fetchGit \{[^}]*\}`)

func TestPrefetchNpm(t *testing.T) {
	srv := fetchtest.NewServer(t, map[string]string{
		"/a-1.0.0.tgz": "a's bytes",
		"/b-1.0.0.tgz": "b's bytes",
		"/c-1.0.0.tgz": "not c's bytes",
	})
	dir := t.TempDir()
	lock := `{
  "name": "p", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": { "name": "p", "dependencies": { "a": "1", "b": "1", "c": "1" } },
    "node_modules/a": { "version": "1.0.0", "resolved": "` + srv.URL + `/a-1.0.0.tgz" },
    "node_modules/b": { "version": "1.0.0", "resolved": "` + srv.URL + `/b-1.0.0.tgz", "integrity": "` + sha1SRI("b's bytes") + `" },
    "node_modules/c": { "version": "1.0.0", "resolved": "` + srv.URL + `/c-1.0.0.tgz", "integrity": "` + sha1SRI("c's bytes") + `" }
  }
}
`
	writeFiles(t, dir, map[string]string{"package-lock.json": lock, "package.json": `{"name":"p"}`})
	out := filepath.Join(dir, "package-lock.nix")
	pinsFile := filepath.Join(dir, "lock2nix-pins.toml")

	// Offline, the unpinned source stops the run and --prefetch is named.
	code, stderr := lock2nix(t, "npm", dir)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1", code)
	}
	mustContain(t, "stderr", stderr, "1 source has no hash or commit", "a@1.0.0: "+srv.URL+"/a-1.0.0.tgz", `run "lock2nix npm `+dir+` --prefetch"`)
	// So does --check, without a pins file, offline.
	code, stderr = lock2nix(t, "npm", dir, "--check")
	if code != exitFailure || !strings.Contains(stderr, "a@1.0.0: ") {
		t.Fatalf("--check: exit %d, stderr:\n%s", code, stderr)
	}
	if n := srv.Requests(); n != 0 {
		t.Fatalf("offline runs made %d requests", n)
	}

	// c's bytes do not match its sha1: the error names it; the other
	// pins are kept, and no Nix is written.
	code, stderr = lock2nix(t, "npm", dir, "--prefetch=weak")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	mustContain(t, "stderr", stderr, "c@1.0.0: "+srv.URL+"/c-1.0.0.tgz does not match the lockfile's hash: the lockfile says "+sha1SRI("c's bytes"))
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s written after a failed prefetch", out)
	}
	mustContain(t, "pins file", readFile(t, pinsFile), "/a-1.0.0.tgz", "/b-1.0.0.tgz")

	// Served right, everything is pinned: only the missing pin is fetched.
	srv.Serve("/c-1.0.0.tgz", "c's bytes")
	srv.Reset()
	if code, stderr = lock2nix(t, "npm", dir, "--prefetch=weak"); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if n := srv.Requests(); n != 1 {
		t.Errorf("%d requests, want 1 (c only)", n)
	}
	pins := readFile(t, pinsFile)
	mustContain(t, "pins file", pins, `{ hash = "sha512-`, `weak = "`+sha1SRI("c's bytes")+`" }`)
	nix := readFile(t, out)
	if m := unpinnedFetchers.FindString(nix); m != "" {
		t.Errorf("the Nix has an unpinned fetcher: %s", m)
	}
	if strings.Contains(nix, "sha1-") {
		t.Errorf("the Nix still has a sha1 hash:\n%s", nix)
	}
	if n := strings.Count(nix, `hash = "sha512-`); n != 3 {
		t.Errorf("%d sha512 fetchers, want 3:\n%s", n, nix)
	}

	// Later runs, --check and --prefetch again, use no network and leave
	// the pins file byte for byte.
	srv.Reset()
	for _, args := range [][]string{{"npm", dir}, {"npm", dir, "--check"}, {"npm", dir, "--prefetch=weak"}} {
		if code, stderr := lock2nix(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d; stderr:\n%s", args, code, stderr)
		}
	}
	if n := srv.Requests(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
	if got := readFile(t, pinsFile); got != pins {
		t.Errorf("the pins file changed:\n%s", got)
	}

	// Once the lock drops a package, its pin is stale: --check fails
	// naming it, and --prefetch removes it.
	writeFiles(t, dir, map[string]string{"package-lock.json": strings.Replace(lock, `    "node_modules/a": { "version": "1.0.0", "resolved": "`+srv.URL+`/a-1.0.0.tgz" },`+"\n", "", 1)})
	code, stderr = lock2nix(t, "npm", dir, "--check")
	if code != exitFailure {
		t.Fatalf("--check with a stale pin: exit %d", code)
	}
	mustContain(t, "stderr", stderr, "lock2nix-pins.toml is stale: the lockfile no longer needs 1 entry:", `[tarball] "`+srv.URL+`/a-1.0.0.tgz"`, `run "lock2nix npm `+dir+` --prefetch"`)
	if code, stderr = lock2nix(t, "npm", dir, "--prefetch"); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if strings.Contains(readFile(t, pinsFile), "/a-1.0.0.tgz") {
		t.Error("the stale pin was kept")
	}
	if n := srv.Requests(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

func TestPrefetchDune(t *testing.T) {
	repo := fetchtest.NewRepo(t)
	repoURL, mainCommit, branchCommit := repo.URL, repo.Main, repo.Feature
	srv := fetchtest.NewServer(t, map[string]string{"/lib.tar.gz": "lib", "/fix.patch": "fix"})
	md5hex := func(s string) string { d := md5.Sum([]byte(s)); return hex.EncodeToString(d[:]) }
	// The repository lies inside the project (the folder that holds
	// it): a lock may not make Nix read a repository elsewhere on the
	// machine.
	dir := filepath.Dir(strings.TrimPrefix(repoURL, "file://"))
	writeFiles(t, dir, map[string]string{
		"dune.lock/lock.dune":      "(lang package 0.1)\n",
		"dune.lock/dev.pkg":        "(version dev)\n(dev)\n(source (fetch (url git+" + repoURL + ")))\n",
		"dune.lock/ocamlbuild.pkg": "(version dev)\n(dev)\n(source (fetch (url git+" + repoURL + "#feature)))\n",
		"dune.lock/lib.pkg": "(version 1.0)\n(source (fetch (url " + srv.URL + "/lib.tar.gz) (checksum md5=" + md5hex("lib") + ")))\n" +
			"(extra_sources (fix.patch (fetch (url " + srv.URL + "/fix.patch) (checksum md5=" + md5hex("fix") + "))))\n",
	})
	out := filepath.Join(dir, "dune-lock.nix")

	code, stderr := lock2nix(t, "dune", dir)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1", code)
	}
	mustContain(t, "stderr", stderr, "2 sources have no hash or commit",
		"dev.dev: git "+repoURL+" (no commit)", "ocamlbuild.dev: git "+repoURL+"#feature",
		`run "lock2nix dune `+dir+` --prefetch"`, "--pin NAME=COMMIT")

	// --pin applies whatever the URL's "#" names.
	code, stderr = lock2nix(t, "dune", dir, "-o", "-", "--pin", "ocamlbuild="+branchCommit, "--pin", "dev="+mainCommit)
	if code != exitOK {
		t.Fatalf("--pin: exit %d; stderr:\n%s", code, stderr)
	}

	if code, stderr = lock2nix(t, "dune", dir, "--prefetch=weak"); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	pins := readFile(t, filepath.Join(dir, "lock2nix-pins.toml"))
	mustContain(t, "pins file", pins,
		`"`+repoURL+`" = "`+mainCommit+`"`,
		`"`+repoURL+`#feature" = "`+branchCommit+`"`,
		`"`+srv.URL+`/fix.patch" = { hash = "sha256-`, `weak = "md5-`)
	nix := readFile(t, out)
	mustContain(t, "the Nix", nix, `rev = "`+mainCommit+`";`, `rev = "`+branchCommit+`";`)
	if strings.Contains(nix, "md5-") {
		t.Errorf("the Nix still has an md5 hash:\n%s", nix)
	}
	if strings.Contains(stderr, "weak hash") {
		t.Errorf("warned about weak hashes after upgrading them:\n%s", stderr)
	}

	srv.Reset()
	if code, stderr = lock2nix(t, "dune", dir, "--check"); code != exitOK {
		t.Fatalf("--check: exit %d; stderr:\n%s", code, stderr)
	}
	if n := srv.Requests(); n != 0 {
		t.Errorf("--check made %d requests", n)
	}
}
