package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// npmRegistry asks npm which registry it uses, so that no test names one.
func npmRegistry(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed")
	}
	out, err := exec.Command("npm", "config", "get", "registry").Output()
	reg := strings.TrimSpace(string(out))
	if err != nil || reg == "" {
		t.Skipf("npm config get registry: %v", err)
	}
	return reg
}

// nixEnv runs Nix without a sandbox or binary caches, as this machine
// allows.
func nixEnv() []string {
	return append(os.Environ(), "NIX_CONFIG=sandbox = false\nsubstituters =")
}

// TestFetchRegistry fetches every tarball of a small lockfile for real
// with <nix/fetchurl.nix>, so that Nix itself checks the hashes lock2nix
// took from the lockfile.
func TestFetchRegistry(t *testing.T) {
	needNix(t)
	reg := npmRegistry(t)
	if testing.Short() {
		t.Skip("fetches from the network")
	}
	for _, dir := range []string{"../../testdata/example", "../../testdata/npm/v1", "../../testdata/npm/aliases"} {
		out := filepath.Join(t.TempDir(), "out.nix")
		translate(t, out, "npm", dir, "--registry", reg, "--replace-registry-host", "registry.npm.test")
		// The stand-in's fetchurl is Nix's own <nix/fetchurl.nix>.
		expr := `let
  pkgs = import ` + standin + ` { };
  r = ` + npmCall("pkgs", out, "") + `;
in builtins.attrValues r.sources`
		cmd := exec.Command("nix-build", "--no-out-link", "-E", expr)
		cmd.Env = nixEnv()
		res, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("nix-build of %s's sources: %v\n%s", dir, err, res)
		}
		paths := strings.Fields(string(res))
		if len(paths) == 0 {
			t.Fatalf("nix-build printed no store paths:\n%s", res)
		}
	}
}
