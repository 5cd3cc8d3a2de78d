package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// standin is the nixpkgs stand-in the builds use.
var standin, _ = filepath.Abs("../testdata/nixpkgs-standin")

// repo is the repository, whose default.nix gives lock2nix's builders.
var repo, _ = filepath.Abs("..")

// npmCall is the Nix expression that builds a file lock2nix npm wrote
// (a data file, or one written with --standalone) with the repository's
// builders and more arguments (Nix bindings): what lock2nix.lib.npm
// returns. pkgs must be in scope (nixBuild puts it there).
func npmCall(file, bindings string) string {
	return "((import " + repo + " { inherit pkgs; }).npm { file = " + file + "; " + bindings + " })"
}

// need skips the test in -short mode or when a tool is missing.
func need(t *testing.T, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds with Nix")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
}

// generateNpm translates an npm project for the registry npm is
// configured with and returns the generated file.
func generateNpm(t *testing.T, dir string) string {
	t.Helper()
	reg, err := exec.Command("npm", "config", "get", "registry").Output()
	if err != nil {
		t.Skip("npm config get registry failed")
	}
	out := filepath.Join(t.TempDir(), "lock.nix")
	gen := exec.Command("go", "run", "../cmd/lock2nix", "npm", dir, "-o", out,
		"--registry", strings.TrimSpace(string(reg)), "--replace-registry-host", "registry.npm.test")
	if msg, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("lock2nix: %v\n%s", err, msg)
	}
	return out
}

// nixConfig is the Nix configuration of the tests' builds: no sandbox, no
// binary caches, and several derivations at once (most are downloads of
// package archives, which one at a time would take minutes).
const nixConfig = "NIX_CONFIG=sandbox = false\nsubstituters =\nmax-jobs = 4"

// nixBuild builds expr with the stand-in in scope as pkgs (no sandbox, no
// binary caches) and returns the output path, or the error with Nix's
// messages.
func nixBuild(expr string) (string, error) {
	out, _, err := nixBuildLog(expr)
	return out, err
}

// nixBuildLog is nixBuild that also returns Nix's messages (the build
// logs of what it built) when the build succeeds.
func nixBuildLog(expr string) (out, log string, err error) {
	cmd := exec.Command("nix-build", "--no-out-link", "-E", "let pkgs = import "+standin+" { }; in "+expr)
	cmd.Env = append(os.Environ(), nixConfig, "LOCK2NIX_HOST_NODE_VERSION="+hostNodeVersion())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return "", "", errors.New(err.Error() + "\n" + stderr.String())
	}
	return strings.TrimSpace(string(stdout)), stderr.String(), nil
}

// hostNodeVersion is the host node's version, which the stand-in gives as
// nodejs.version; "" without node. Asked once.
var hostNodeVersion = sync.OnceValue(func() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
})

// nixReadableTempDir returns a temporary folder that Nix's build user may
// read, as may every folder above it.
func nixReadableTempDir(t *testing.T) string {
	work := t.TempDir()
	for d := work; d != filepath.Dir(d) && strings.HasPrefix(d, os.TempDir()+"/"); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	return work
}

// runNpmSh runs e2e/npm.sh on the project in dir, logs its output, and
// returns it; the test fails when npm.sh does.
func runNpmSh(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("bash", "npm.sh", dir).CombinedOutput()
	t.Logf("%s", strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("e2e/npm.sh %s: %v", dir, err)
	}
	return string(out)
}
