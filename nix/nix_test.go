// Package nix_test checks the flake and the Nix package of lock2nix.
package nix_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

func needNix(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix-hash"); err != nil {
		t.Skip("Nix is not installed (apt-get install nix-bin)")
	}
}

// TestVendorHash recomputes buildGoModule's vendorHash, the NAR hash of
// what go mod vendor writes, and compares it with nix/package.nix.
func TestVendorHash(t *testing.T) {
	needNix(t)
	vendor := filepath.Join(t.TempDir(), "vendor")
	cmd := exec.Command("go", "mod", "vendor", "-o", vendor)
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	out, err := exec.Command("nix-hash", "--type", "sha256", vendor).Output()
	if err != nil {
		t.Fatal(err)
	}
	h, err := lockfile.ParseHex("sha256=" + strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := os.ReadFile("package.nix")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`vendorHash = "([^"]*)";`).FindSubmatch(pkg)
	if m == nil {
		t.Fatal("no vendorHash in nix/package.nix")
	}
	if string(m[1]) != h.String() {
		t.Errorf("nix/package.nix has vendorHash %q; go.mod and go.sum give %q: update it", m[1], h)
	}
}

// TestParse parses every .nix file in the repository with real Nix.
func TestParse(t *testing.T) {
	needNix(t)
	var files []string
	filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".nix") {
			files = append(files, path)
		}
		return nil
	})
	if len(files) < 3 {
		t.Fatalf("found only %v", files)
	}
	for _, f := range files {
		if out, err := exec.Command("nix-instantiate", "--parse", f).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", f, err, out)
		}
	}
}

// TestFlakeOutputs evaluates flake.nix's outputs against a stand-in for
// nixpkgs and checks what each output holds.
func TestFlakeOutputs(t *testing.T) {
	needNix(t)
	expr := `let
  flake = import ../flake.nix;
  self = flake.outputs { inherit self; nixpkgs = import ../testdata/flake-standin.nix; };
  pkg = self.packages.x86_64-linux.default;
  over = self.overlays.default (import ../testdata/flake-standin.nix).legacyPackages.x86_64-linux { };
in {
  outputs = builtins.attrNames self;
  systems = builtins.attrNames self.packages;
  package = { inherit (pkg) pname version subPackages vendorHash kind; cgo = pkg.env.CGO_ENABLED; };
  app = self.apps.aarch64-darwin.default;
  overlay = builtins.attrNames over;
  devShell = self.devShells.x86_64-linux.default.packages;
  formatter = self.formatter.x86_64-linux;
  lib = builtins.attrNames self.lib;
  check = (self.lib.check { pkgs = (import ../testdata/flake-standin.nix).legacyPackages.x86_64-linux; src = "/project"; }).script;
  # lib.npm hands every argument but pkgs and file to a --standalone file.
  npm = self.lib.npm {
    pkgs.callPackage = f: args: f args;
    file = args: args;
    src = "/project";
    installScripts = false;
    localPaths."../lib" = "/lib";
  };
  inputs = builtins.attrNames flake.inputs;
  yarnCheck = (self.lib.check { pkgs = (import ../testdata/flake-standin.nix).legacyPackages.x86_64-linux; src = "/project"; command = "yarn"; }).script;
}`
	out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr).CombinedOutput()
	if err != nil {
		t.Fatalf("evaluating the flake: %v\n%s", err, out)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	pkgNix, _ := os.ReadFile("package.nix")
	vendorHash := regexp.MustCompile(`vendorHash = "([^"]*)";`).FindSubmatch(pkgNix)
	want := map[string]any{
		"outputs": []any{"apps", "devShells", "flakeModules", "formatter", "lib", "overlays", "packages"},
		"systems": []any{"aarch64-darwin", "aarch64-linux", "x86_64-darwin", "x86_64-linux"},
		"package": map[string]any{
			"pname": "lock2nix", "version": "0.2.0", "subPackages": []any{"cmd/lock2nix"},
			"vendorHash": string(vendorHash[1]), "kind": "buildGoModule", "cgo": float64(0),
		},
		"app":       map[string]any{"type": "app", "program": "/nix/store/lock2nix-0.2.0/bin/lock2nix"},
		"overlay":   []any{"lock2nix", "lock2nixDune", "lock2nixNpm", "lock2nixPnpm"},
		"devShell":  []any{"go", "nodejs", "nix", "nixfmt-rfc-style"},
		"formatter": "nixfmt-rfc-style",
		"lib":       []any{"check", "dune", "npm", "pnpm", "repo", "yarn"},
		"check":     "cd /project\nlock2nix npm --check -o 'package-lock.nix' \ntouch $out\n",
		"npm":       map[string]any{"src": "/project", "installScripts": false, "localPaths": map[string]any{"../lib": "/lib"}},
		"inputs":    []any{"nixpkgs"},
		"yarnCheck": "cd /project\nlock2nix yarn --check -o 'yarn-lock.nix' \ntouch $out\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flake outputs (-want +got):\n%s", diff)
	}
}

// TestVersion keeps the flake's package version and lock2nix's own in step.
func TestVersion(t *testing.T) {
	main, err := os.ReadFile("../cmd/lock2nix/main.go")
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := os.ReadFile("package.nix")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`const version = "([^"]+)"`).FindSubmatch(main)
	got := regexp.MustCompile(`version = "([^"]+)";`).FindSubmatch(pkg)
	if want == nil || got == nil || string(want[1]) != string(got[1]) {
		t.Errorf("nix/package.nix has version %q, cmd/lock2nix says %q", got, want)
	}
}

// TestBuilderForms builds one data file through each way lock2nix's
// builders reach users (the flake's lib.npm, its overlay's lock2nixNpm,
// a plain import of the repository) and the --standalone file with
// pkgs.callPackage: all give the same nodeModules derivation.
func TestBuilderForms(t *testing.T) {
	needNix(t)
	dir := t.TempDir()
	data, standalone := filepath.Join(dir, "data.nix"), filepath.Join(dir, "standalone.nix")
	for _, args := range [][]string{{"-o", data}, {"--standalone", "-o", standalone}} {
		cmd := exec.Command("go", append([]string{"run", "../cmd/lock2nix", "npm", "../testdata/example"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("lock2nix: %v\n%s", err, out)
		}
	}
	src, _ := filepath.Abs("../testdata/example")
	expr := `let
  pkgs = import ../testdata/nixpkgs-standin { };
  flake = import ../flake.nix;
  self = flake.outputs { inherit self; nixpkgs = import ../testdata/flake-standin.nix; };
  overlaid = pkgs // self.overlays.default overlaid pkgs;
  drv = r: r.nodeModules.drvPath;
in [
  (drv (self.lib.npm { inherit pkgs; file = ` + data + `; src = ` + src + `; }))
  (drv (overlaid.lock2nixNpm { file = ` + data + `; src = ` + src + `; }))
  (drv ((import ../. { inherit pkgs; }).npm { file = ` + data + `; src = ` + src + `; }))
  (drv (pkgs.callPackage ` + standalone + ` { src = ` + src + `; }))
  (drv (self.lib.npm { inherit pkgs; file = ` + standalone + `; src = ` + src + `; }))
]`
	out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr).CombinedOutput()
	if err != nil {
		t.Fatalf("nix-instantiate: %v\n%s", err, out)
	}
	var drvs []string
	if err := json.Unmarshal(out, &drvs); err != nil {
		t.Fatal(err)
	}
	for i, d := range drvs {
		if d != drvs[0] || !strings.HasSuffix(d, "-example-node-modules.drv") {
			t.Errorf("form %d gives %s, the first %s", i, d, drvs[0])
		}
	}
}

// TestDuneBuilderForms builds one dune data file through each way
// lock2nix's builders reach users (the flake's lib.dune, its overlay's
// lock2nixDune, a plain import of the repository) and the --standalone
// file with pkgs.callPackage and lib.dune: all give the same derivation
// for every package and the project.
func TestDuneBuilderForms(t *testing.T) {
	needNix(t)
	dir := t.TempDir()
	data, standalone := filepath.Join(dir, "data.nix"), filepath.Join(dir, "standalone.nix")
	for _, args := range [][]string{{"-o", data}, {"--standalone", "-o", standalone}} {
		cmd := exec.Command("go", append([]string{"run", "../cmd/lock2nix", "dune", "../testdata/dune/simple"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("lock2nix: %v\n%s", err, out)
		}
	}
	src, _ := filepath.Abs("../testdata/dune/simple")
	expr := `let
  pkgs = import ../testdata/nixpkgs-standin { };
  flake = import ../flake.nix;
  self = flake.outputs { inherit self; nixpkgs = import ../testdata/flake-standin.nix; };
  overlaid = pkgs // self.overlays.default overlaid pkgs;
  drvs = r: builtins.mapAttrs (n: d: d.drvPath) (r.packagesByName // { " project" = r.project; });
in [
  (drvs (self.lib.dune { inherit pkgs; file = ` + data + `; src = ` + src + `; }))
  (drvs (overlaid.lock2nixDune { file = ` + data + `; src = ` + src + `; }))
  (drvs ((import ../. { inherit pkgs; }).dune { file = ` + data + `; src = ` + src + `; }))
  (drvs (pkgs.callPackage ` + standalone + ` { src = ` + src + `; }))
  (drvs (self.lib.dune { inherit pkgs; file = ` + standalone + `; src = ` + src + `; }))
]`
	out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr).CombinedOutput()
	if err != nil {
		t.Fatalf("nix-instantiate: %v\n%s", err, out)
	}
	var forms []map[string]string
	if err := json.Unmarshal(out, &forms); err != nil {
		t.Fatal(err)
	}
	if len(forms[0]) != 3 || !strings.HasSuffix(forms[0]["ocaml-base-compiler"], "-ocaml-base-compiler-5.2.0.drv") {
		t.Fatalf("the first form gives %v", forms[0])
	}
	for i, f := range forms[1:] {
		if diff := cmp.Diff(forms[0], f); diff != "" {
			t.Errorf("form %d, against the first (-first +form):\n%s", i+1, diff)
		}
	}
}
