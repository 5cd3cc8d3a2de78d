package e2e

import (
	"encoding/json"
	"fmt"
	"github.com/google/go-cmp/cmp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A package's own GNU config scripts, which nixpkgs' stdenv would
// overwrite with its gnu-config's.
const ownConfigSub = "#!/bin/sh\n# the package's own config.sub\necho own\n"

// TestStandinGnuConfigHook proves that the stand-in's stdenv overwrites
// config.sub and config.guess after the patch phase, even with
// dontConfigure, as nixpkgs' does, and that
// dontUpdateAutotoolsGnuConfigScripts stops it: the builders' tests below
// would prove nothing otherwise.
func TestStandinGnuConfigHook(t *testing.T) {
	need(t, "nix-build")
	src := nixReadableTempDir(t)
	writeFiles(t, src, map[string]string{"config.sub": ownConfigSub, "sub/config.guess": ownConfigSub})
	for _, c := range []struct {
		name, attrs string
		kept        bool
	}{
		{"default", "", false},
		{"dont", "dontUpdateAutotoolsGnuConfigScripts = true;", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := nixBuild(`pkgs.stdenv.mkDerivation { name = "gnu-config-` + c.name + `"; src = ` + src +
				`; dontConfigure = true; ` + c.attrs + ` installPhase = "cp -R . $out"; }`)
			if err != nil {
				t.Fatalf("nix-build: %v", err)
			}
			for _, f := range []string{"config.sub", "sub/config.guess"} {
				data, err := os.ReadFile(filepath.Join(out, f))
				if err != nil {
					t.Fatal(err)
				}
				if kept := string(data) == ownConfigSub; kept != c.kept {
					t.Errorf("%s kept: %v, want %v; it holds:\n%s", f, kept, c.kept, data)
				}
			}
		})
	}
}

// TestGnuConfigScriptsKept builds packages through the builders'
// unpacked derivations (a patched archive, an overridden source) and the
// project through buildPackage: each keeps its own config.sub and
// config.guess, as npm installs them, under a stdenv that runs nixpkgs'
// gnu-config hook.
func TestGnuConfigScriptsKept(t *testing.T) {
	need(t, "nix-build", "npm", "go")
	work := nixReadableTempDir(t)
	writeFiles(t, work, map[string]string{
		"dep/package.json":       `{ "name": "with-config", "version": "1.0.0", "main": "index.js" }`,
		"dep/index.js":           "module.exports = 1;\n",
		"dep/config.sub":         ownConfigSub,
		"dep/build/config.guess": ownConfigSub,
		"proj/package.json":      `{ "name": "gnu-config-proj", "version": "1.0.0", "dependencies": { "with-config": "file:with-config-1.0.0.tgz" }, "scripts": { "build": "node -e 0" } }`,
		"proj/config.sub":        ownConfigSub,
		"fix.patch":              "--- a/index.js\n+++ b/index.js\n@@ -1 +1 @@\n-module.exports = 1;\n+module.exports = 2;\n",
	})
	for _, args := range [][]string{
		{"pack", "--pack-destination", filepath.Join(work, "proj"), filepath.Join(work, "dep")},
		{"install", "--package-lock-only", "--no-audit", "--no-fund", "--prefix", filepath.Join(work, "proj")},
	} {
		if out, err := exec.Command("npm", args...).CombinedOutput(); err != nil {
			t.Fatalf("npm %v: %v\n%s", args, err, out)
		}
	}
	proj := filepath.Join(work, "proj")
	out := generateNpm(t, proj)
	call := "((import " + repo + " { inherit pkgs; }).npm { file = " + out + "; src = " + proj + "; overrides.with-config = "
	for _, c := range []struct{ name, override, index, expr string }{
		{"patched", "{ patches = [ " + work + "/fix.patch ]; }", "module.exports = 2;\n", "}).nodeModules"},
		{"overridden-src", "{ src = " + work + "/dep; }", "module.exports = 1;\n", "}).nodeModules"},
		{"buildPackage", "{ }", "module.exports = 1;\n", "}).buildPackage { }"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := nixBuild(call + c.override + "; " + c.expr)
			if err != nil {
				t.Fatalf("nix-build: %v", err)
			}
			files := map[string]string{"config.sub": ownConfigSub, "build/config.guess": ownConfigSub, "index.js": c.index}
			dep, own := "node_modules/with-config", []string{}
			if c.name == "buildPackage" {
				dep = "lib/node_modules/gnu-config-proj/node_modules/with-config"
				own = []string{"lib/node_modules/gnu-config-proj/config.sub"}
			}
			for f, want := range files {
				assertFile(t, filepath.Join(res, dep, f), want)
			}
			for _, f := range own {
				assertFile(t, filepath.Join(res, f), ownConfigSub)
			}
		})
	}
}

// assertFile fails the test when the file at p does not hold want.
func assertFile(t *testing.T, p, want string) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil {
		t.Error(err)
		return
	}
	if string(got) != want {
		t.Errorf("%s holds %q, want %q", p, strings.TrimSpace(string(got)), strings.TrimSpace(want))
	}
}

// TestNativeReproducible builds the native project's tree, whose
// segfault-handler is compiled by node-gyp in a derivation of its own,
// then builds that derivation and the tree again with --check: Nix fails
// when an output differs from the first build's (node-gyp writes the
// folder it builds in into build/Makefile, so a random folder would).
func TestNativeReproducible(t *testing.T) {
	need(t, "nix-build", "nix-store", "nix-instantiate", "npm", "go")
	out := generateNpm(t, "../testdata/npm/native")
	expr := npmCall(out, "") + ".nodeModules"
	if _, err := nixBuild(expr); err != nil {
		t.Fatalf("nix-build: %v", err)
	}
	drv, err := nixCmd("nix-instantiate", "-E", "let pkgs = import "+standin+" { }; in "+expr)
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := nixCmd("nix-store", "-q", "--references", drv)
	if err != nil {
		t.Fatal(err)
	}
	var native string
	for _, d := range strings.Fields(inputs) {
		if strings.HasSuffix(d, "-segfault-handler-1.3.0.drv") {
			native = d
		}
	}
	if native == "" {
		t.Fatalf("no derivation of its own for segfault-handler among the tree's inputs:\n%s", inputs)
	}
	for _, d := range []string{native, drv} {
		if _, err := nixCmd("nix-store", "--realise", "--check", d); err != nil {
			t.Errorf("%s differs from build to build: %v", d, err)
		}
	}
}

// nixCmd runs one of Nix's commands as nixBuild runs nix-build and
// returns its output, trimmed, or the error with Nix's messages.
func nixCmd(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), nixConfig, "LOCK2NIX_HOST_NODE_VERSION="+hostNodeVersion())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// sharedProjects holds real open-source npm projects (see its README.md):
// their sources and committed lockfiles, read-only.
const sharedProjects = "../../shared/projects/npm"

// TestRealProjectBuilds builds real projects with buildPackage, their own
// build script (tsc, rollup) and, in the check phase, their own tests
// (vitest, node --test, eslint, tsc, biome), and compares what the build
// wrote with what `npm ci && npm run build` writes in a copy, file for
// file.
func TestRealProjectBuilds(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go")
	if _, err := os.Stat(sharedProjects); err != nil {
		t.Skipf("%s is absent: the real projects are not here", sharedProjects)
	}
	for _, c := range []struct {
		name    string
		outputs []string // what the build writes, relative to the project
		args    string   // more arguments to buildPackage
	}{
		{
			// Its test is `npm run test:vi && npm run lint`; one of vitest's
			// tests takes longer than vitest's 5 s on a busy machine (npm's own
			// run fails there too), so the check gives it more time.
			"entities", []string{"dist"},
			`checkPhase = "runHook preCheck; npm run test:vi -- --testTimeout=300000 && npm run lint; runHook postCheck";`,
		},
		{"kdbush", []string{"kdbush.js", "kdbush.min.js"}, ""},
		{"pbf", []string{"dist"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := compareBuild(t, filepath.Join(sharedProjects, c.name), c.outputs, c.args)
			if c.name != "pbf" {
				return
			}
			// The installed bin runs: its modes and shebang are right.
			cmd := exec.Command(filepath.Join(res, "bin/pbf"), "test/fixtures/embedded_type.proto")
			cmd.Dir = filepath.Join(sharedProjects, c.name)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "export function readEmbeddedType") {
				t.Errorf("$out/bin/pbf: %v\n%s", err, out)
			}
		})
	}
}

// TestBuildWithTools builds testdata/npm-build/ts-webpack, whose build
// script runs tsc, webpack and eslint from node_modules/.bin and whose
// test is jest, in the check phase: its dist/ must equal what
// `npm ci && npm run build` writes.
func TestBuildWithTools(t *testing.T) {
	need(t, "nix-build", "npm", "node", "go")
	compareBuild(t, "../testdata/npm-build/ts-webpack", []string{"dist"}, "")
}

// compareBuild copies the project in dir twice; builds one copy with
// buildPackage (doCheck on, more arguments in args) and runs npm ci and
// npm run build in the other; then compares outputs, files or folders of
// the project, in both. It returns buildPackage's output.
func compareBuild(t *testing.T, dir string, outputs []string, args string) (out string) {
	t.Helper()
	work := nixReadableTempDir(t)
	src, npmDir := filepath.Join(work, "src"), filepath.Join(work, "npm")
	for _, to := range []string{src, npmDir} {
		if out, err := exec.Command("cp", "-R", dir, to).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v\n%s", err, out)
		}
		// The shared folder may be read-only; the copies must not be.
		if out, err := exec.Command("chmod", "-R", "u+w", to).CombinedOutput(); err != nil {
			t.Fatalf("chmod: %v\n%s", err, out)
		}
	}
	lock := generateNpm(t, src)
	// npm's side runs meanwhile: both spend most of their time fetching.
	npmErr := make(chan error, 1)
	go func() {
		for _, script := range [][]string{
			{"ci", "--no-audit", "--no-fund", "--loglevel=error", "--replace-registry-host=registry.npm.test"},
			{"run", "build"},
		} {
			cmd := exec.Command("npm", script...)
			cmd.Dir = npmDir
			if out, err := cmd.CombinedOutput(); err != nil {
				npmErr <- fmt.Errorf("npm %s: %v\n%s", strings.Join(script, " "), err, out)
				return
			}
		}
		npmErr <- nil
	}()
	start := time.Now()
	res, err := nixBuild(npmCall(lock, "src = "+src+";") + ".buildPackage { doCheck = true; " + args + " }")
	if npmErr := <-npmErr; npmErr != nil {
		t.Fatal(npmErr)
	}
	if err != nil {
		t.Fatalf("nix-build buildPackage: %v", err)
	}
	t.Logf("buildPackage with its checks: %s", time.Since(start).Round(time.Second))
	var manifest struct{ Name string }
	if data, err := os.ReadFile(filepath.Join(src, "package.json")); err != nil || json.Unmarshal(data, &manifest) != nil {
		t.Fatalf("reading package.json: %v", err)
	}
	built := filepath.Join(res, "lib/node_modules", manifest.Name)
	for _, o := range outputs {
		want, got := fileSet(t, filepath.Join(npmDir, o)), fileSet(t, filepath.Join(built, o))
		if len(want) == 0 {
			t.Errorf("npm run build wrote nothing at %s", o)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s differs from npm run build's (-npm +buildPackage):\n%s", o, diff)
		}
	}
	return res
}

// fileSet maps each file under p (or p itself, a file) to its content,
// with its executable bit; links to their target.
func fileSet(t *testing.T, p string) map[string]string {
	t.Helper()
	set := map[string]string{}
	err := filepath.Walk(p, func(f string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(p, f)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(f)
			set[rel] = "link to " + target
			return err
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(f)
			set[rel] = fmt.Sprintf("executable: %v\n%s", fi.Mode()&0o111 != 0, data)
			return err
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return set
}
