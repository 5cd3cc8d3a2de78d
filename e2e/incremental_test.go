package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestIncremental builds the install-scripts project's node_modules, bumps
// ms (a pure-JS package ejs does not need) in the lock, and builds again:
// the tree must be built again, and ejs, whose postinstall script runs in
// a derivation of its own, must not (same derivation, not built, its
// script not run). A nonce in ms's override makes both trees new each run
// without touching ejs's derivation, so that their logs are there to read.
func TestIncremental(t *testing.T) {
	need(t, "nix-build", "nix-instantiate", "npm", "go")
	work := nixReadableTempDir(t)
	lock, err := os.ReadFile("../testdata/npm/install-scripts/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile("../testdata/npm/install-scripts/package.json")
	if err != nil {
		t.Fatal(err)
	}
	bump := strings.NewReplacer(
		`"ms": "^2.1.3"`, `"ms": "2.1.2"`,
		"ms-2.1.3.tgz", "ms-2.1.2.tgz",
		`"version": "2.1.3"`, `"version": "2.1.2"`,
		"sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==",
		"sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==",
	)
	writeFiles(t, work, map[string]string{
		"a/package.json":      string(manifest),
		"a/package-lock.json": string(lock),
		"b/package.json":      bump.Replace(string(manifest)),
		"b/package-lock.json": bump.Replace(string(lock)),
	})
	nonce := strconv.FormatInt(time.Now().UnixNano(), 10)
	expr := func(v string) string {
		return npmCall(generateNpm(t, filepath.Join(work, v)), `overrides.ms.env.NONCE = "`+nonce+`";`) + ".nodeModules"
	}
	ejsDrv := func(e string) string {
		cmd := exec.Command("sh", "-c", `nix-store -qR "$(nix-instantiate -E "$1")" | grep -- '-ejs-2\.7\.4\.drv$'`,
			"sh", "let pkgs = import "+standin+" { }; in "+e)
		cmd.Env = append(os.Environ(), "LOCK2NIX_HOST_NODE_VERSION="+hostNodeVersion())
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("finding ejs's derivation: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	a, b := expr("a"), expr("b")
	if da, db := ejsDrv(a), ejsDrv(b); da != db {
		t.Errorf("bumping ms changed ejs's derivation:\n%s\n%s", da, db)
	}
	if _, err := nixBuild(a); err != nil {
		t.Fatalf("nix-build before the bump: %v", err)
	}
	tree, log, err := nixBuildLog(b)
	if err != nil {
		t.Fatalf("nix-build after the bump: %v", err)
	}
	built := regexp.MustCompile(`building '/nix/store/[a-z0-9]+-([^']+)\.drv'`).FindAllStringSubmatch(log, -1)
	var names []string
	for _, m := range built {
		// ms 2.1.2's archive is fetched when the store does not hold it
		// yet (a fresh machine): a download, not a build.
		if !strings.HasSuffix(m[1], ".tgz") {
			names = append(names, m[1])
		}
	}
	if strings.Join(names, " ") != "install-scripts-project-node-modules" {
		t.Errorf("after bumping ms, built %q, want only the tree", names)
	}
	if strings.Contains(log, "running postinstall") {
		t.Errorf("after bumping ms, ejs's postinstall ran again:\n%s", log)
	}
	pj, err := os.ReadFile(filepath.Join(tree, "node_modules/ms/package.json"))
	if err != nil || !strings.Contains(string(pj), `"version": "2.1.2"`) {
		t.Errorf("the new tree does not hold ms 2.1.2: %v", err)
	}
	if _, err := os.Stat(filepath.Join(tree, "node_modules/ejs/postinstall.js")); err != nil {
		t.Errorf("the new tree lost ejs: %v", err)
	}
}
