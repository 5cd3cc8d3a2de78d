package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNpmPrefetch takes a lockfile like appium's, with hundreds of entries
// and no integrity at all (made with npm install --package-lock-only, then
// stripped), prefetches it from the registry npm is configured with, and
// runs npm.sh: the tree built from the pinned file must equal npm ci's.
// Then, offline, the file must be generated from the pins alone, with a
// hash in every fetcher.
func TestNpmPrefetch(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go")
	proj := filepath.Join(t.TempDir(), "npm-unpinned")
	if err := os.CopyFS(proj, os.DirFS("testdata/npm-unpinned")); err != nil {
		t.Fatal(err)
	}
	lock, err := os.ReadFile(filepath.Join(proj, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(lock), `"version"`); n < 200 || strings.Contains(string(lock), "integrity") {
		t.Fatalf("the lockfile has %d entries and integrity: %v; want hundreds and none", n, strings.Contains(string(lock), "integrity"))
	}

	cmd := exec.Command("bash", "npm.sh", proj)
	cmd.Env = append(os.Environ(), "LOCK2NIX_FLAGS=--prefetch -q")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("e2e/npm.sh %s: %v", proj, err)
	}

	pins, err := os.ReadFile(filepath.Join(proj, "lock2nix-pins.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(pins), `{ hash = "sha512-`); n < 200 {
		t.Errorf("%d sha512 pins, want one per tarball", n)
	}
	nix, err := os.ReadFile(generateNpm(t, proj))
	if err != nil {
		t.Fatal(err)
	}
	// Each source of the data file: its url, and a hash beside it.
	urls, hashes := strings.Count(string(nix), "\n      url = "), strings.Count(string(nix), "\n      hash = \"sha512-")
	if urls != hashes {
		t.Errorf("the generated file has %d sources and %d hashes: some are fetched without one", urls, hashes)
	}
	if want := strings.Count(string(pins), `{ hash = "sha512-`); hashes != want {
		t.Errorf("%d sources with a hash, want one per pin (%d)", hashes, want)
	}
}
