package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/fetchtest"
)

// TestPrefetchPnpm pins a pnpm lock's tarball without integrity through
// the pins file: offline runs name it and --prefetch; --prefetch fetches
// it once and records its hash; later runs and --check are offline.
func TestPrefetchPnpm(t *testing.T) {
	srv := fetchtest.NewServer(t, map[string]string{"/c-1.0.0.tgz": "c's bytes"})
	dir := t.TempDir()
	url := srv.URL + "/c-1.0.0.tgz"
	writeFiles(t, dir, map[string]string{
		"package.json": `{"name": "p", "dependencies": {"c": "` + url + `"}}`,
		"pnpm-lock.yaml": `lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      c:
        specifier: ` + url + `
        version: ` + url + `
packages:
  c@` + url + `:
    resolution: {tarball: ` + url + `}
    version: 1.0.0
snapshots:
  c@` + url + `: {}
`,
	})
	code, stderr := lock2nix(t, "pnpm", dir)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1", code)
	}
	mustContain(t, "stderr", stderr, "1 source has no hash or commit", "c@"+url+": "+url, `run "lock2nix pnpm `+dir+` --prefetch"`)
	if n := srv.Requests(); n != 0 {
		t.Fatalf("an offline run made %d requests", n)
	}
	if code, stderr = lock2nix(t, "pnpm", dir, "--prefetch", "-q"); code != exitOK {
		t.Fatalf("--prefetch: exit %d\n%s", code, stderr)
	}
	if n := srv.Requests(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	mustContain(t, "pins file", readFile(t, filepath.Join(dir, "lock2nix-pins.toml")), url, `sha512-`)
	nix := readFile(t, filepath.Join(dir, "pnpm-lock.nix"))
	if m := unpinnedFetchers.FindString(nix); m != "" {
		t.Errorf("the Nix has an unpinned fetcher: %s", m)
	}
	srv.Reset()
	if code, stderr = lock2nix(t, "pnpm", dir, "--check"); code != exitOK {
		t.Fatalf("--check: exit %d\n%s", code, stderr)
	}
	if n := srv.Requests(); n != 0 || strings.Contains(stderr, "warning") {
		t.Errorf("--check made %d requests; stderr %q", n, stderr)
	}
	os.Remove(filepath.Join(dir, "pnpm-lock.nix"))
}
