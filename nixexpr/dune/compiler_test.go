package dune

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// TestCompilerByDefault evaluates a data file and the --standalone file
// of one lock with the nixpkgs stand-in through every way of calling
// them, and checks which derivation
// stands for each compiler package: the one built from the lock unless
// the caller names another compiler by an argument callPackage does not
// fill (the stand-in, as nixpkgs, has an ocaml that callPackage would
// pass to an argument named so). A given compiler comes with an
// ocaml.config written for it.
func TestCompilerByDefault(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
	l := parseLock(t, map[string]string{
		"ocaml-base-compiler.pkg": "(version 5.2.0)\n(build (run ./configure --prefix=%{prefix}))\n",
		"ocaml.pkg":               "(version 5.2.0)\n(depends ocaml-base-compiler)\n",
		"a.pkg":                   "(version 1)\n(depends ocaml)\n(build (when %{pkg:ocaml:native} (run make)))\n",
	})
	file := writeData(t, l)
	standalone := filepath.Join(t.TempDir(), "standalone.nix")
	f, err := os.Create(standalone)
	if err != nil {
		t.Fatal(err)
	}
	if err := EmitStandalone(f, l, nixexpr.Header{}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	standin, _ := filepath.Abs("../../testdata/nixpkgs-standin")
	lib, _ := filepath.Abs("../../nix/lib.nix")
	repo := repoRoot(t)
	pnames := func(call string) map[string]string {
		t.Helper()
		expr := `let
  pkgs = import ` + standin + ` { };
  r = ` + call + `;
in builtins.mapAttrs (n: d: d.pname) r.packagesByName`
		out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr).CombinedOutput()
		if err != nil {
			t.Fatalf("nix-instantiate: %v\n%s", err, out)
		}
		var got map[string]string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return got
	}
	locked := map[string]string{"a": "a", "ocaml": "ocaml", "ocaml-base-compiler": "ocaml-base-compiler"}
	given := map[string]string{"a": "a", "ocaml": "ocaml-given", "ocaml-base-compiler": "ocaml-given"}
	for _, tc := range []struct {
		name, call string
		want       map[string]string
	}{
		{"lib.dune", "(import " + lib + " { lock2nix = null; }).dune { inherit pkgs; file = " + file + "; src = null; }", locked},
		{"import lock2nix", "(import " + repo + " { inherit pkgs; }).dune { file = " + file + "; }", locked},
		{"callPackage of --standalone", "pkgs.callPackage " + standalone + " { }", locked},
		{"import of --standalone", "import " + standalone + " { inherit (pkgs) stdenv fetchurl opam-installer dune_3; inherit pkgs; }", locked},
		{"lib.dune of --standalone", "(import " + lib + " { lock2nix = null; }).dune { inherit pkgs; file = " + standalone + "; }", locked},
		{"an ocaml argument is not read", "(import " + repo + " { inherit pkgs; }).dune { file = " + file + "; ocaml = pkgs.ocaml; }", locked},
		{"an ocaml argument is not read by --standalone", "pkgs.callPackage " + standalone + " { ocaml = pkgs.ocaml; }", locked},
		{"compiler", "(import " + repo + " { inherit pkgs; }).dune { file = " + file + "; compiler = pkgs.ocaml; }", given},
		{"compiler of --standalone", "pkgs.callPackage " + standalone + " { compiler = pkgs.ocaml; }", given},
		{"useNixpkgsOCaml", "(import " + repo + " { inherit pkgs; }).dune { file = " + file + "; useNixpkgsOCaml = true; }", given},
		{"useNixpkgsOCaml of --standalone", "pkgs.callPackage " + standalone + " { useNixpkgsOCaml = true; }", given},
		{"lib.dune with a compiler", "(import " + lib + " { lock2nix = null; }).dune { inherit pkgs; file = " + file + "; src = null; compiler = pkgs.ocaml; }", given},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, pnames(tc.call)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	// The host's OCaml given as the compiler gets an ocaml.config that a
	// build script reads.
	if _, err := exec.LookPath("ocamlc"); err != nil {
		t.Skip("no host OCaml to build")
	}
	expr := `let pkgs = import ` + standin + ` { }; in ((import ` + repo + ` { inherit pkgs; }).dune { file = ` + file + `; compiler = pkgs.ocaml; }).packagesByName.ocaml`
	build := exec.Command("nix-build", "--no-out-link", "-E", expr)
	build.Env = append(os.Environ(), "NIX_CONFIG=sandbox = false\nsubstituters =")
	out, err := build.Output()
	if err != nil {
		t.Fatalf("nix-build: %v", err)
	}
	config, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "nix-support", "ocaml.config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"native: true", "native-tools: ", "native-dynlink: ", "stubsdir: \"", "preinstalled: false", "compiler: \""} {
		if !strings.Contains(string(config), want) {
			t.Errorf("ocaml.config lacks %q:\n%s", want, config)
		}
	}
}
