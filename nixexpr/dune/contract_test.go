package dune

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// TestBuildersContract evaluates builders.nix with real Nix, for each
// system scripts are specialised for, and checks the two things Go and
// the builders must agree on: the values of dune's platform variables
// (Hosts against the builders' hostEnv) and the name of the
// variable that holds a dependency's path (depVar against shellName).
func TestBuildersContract(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
	builders, _ := filepath.Abs("builders.nix")
	standin, _ := filepath.Abs("../../testdata/nixpkgs-standin")
	names := []string{"ocaml", "conf-libssl", "a'b", "ünï", "x y", "${x}", "dune-configurator"}
	deps, err := nixexpr.Format(nixexpr.Strings(names))
	if err != nil {
		t.Fatal(err)
	}
	for _, hp := range Hosts {
		t.Run(hp.System, func(t *testing.T) {
			// mkDerivation returns its attributes, so that the phases the
			// builders write can be read as text; each package's path is
			// /dep/<name>.
			expr := `let
  host = (import ` + standin + ` { system = "` + hp.System + `"; }).stdenv.hostPlatform;
  names = ` + string(deps) + `;
  pkg = name: { inherit name; version = "1"; };
  built = import ` + builders + ` {
    stdenv = { hostPlatform = host; mkDerivation = a: a // { outPath = "/dep/${a.pname}"; }; };
    pkgs = { };
    opam-installer = "/opam-installer";
    dune_3 = "/dune";
    compiler = null;
    useNixpkgsOCaml = false;
    src = null;
    overrides = { };
    depexts = { };
    sources = { };
    packages = builtins.listToAttrs (map (n: { name = n + ".1"; value = pkg n; }) names) // {
      "root.1" = pkg "root" // { deps = names; };
    };
    root = { pname = "root"; };
  };
  r = built.packagesByName.root;
in {
  vars = { arch = r.dune_arch; os = r.dune_os; os_family = r.dune_os_family; os_distribution = r.dune_os_distribution; };
  configure = r.configurePhase;
}`
			out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr).CombinedOutput()
			if err != nil {
				t.Fatalf("nix-instantiate: %v\n%s", err, out)
			}
			var got struct {
				Vars      map[string]string
				Configure string
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(hp.Vars, got.Vars); diff != "" {
				t.Errorf("platform variables, Go (-) and builders.nix (+):\n%s", diff)
			}
			exports := map[string]string{}
			for _, m := range regexp.MustCompile(`(?m)^export (dep_\w+)=/dep/(.*)$`).FindAllStringSubmatch(got.Configure, -1) {
				exports[m[2]] = m[1]
			}
			want := map[string]string{}
			for _, n := range names {
				want[n] = depVar(n)
			}
			if diff := cmp.Diff(want, exports); diff != "" {
				t.Errorf("dependency variables by name, Go (-) and builders.nix (+):\n%s\n%s", diff, got.Configure)
			}
		})
	}
}
