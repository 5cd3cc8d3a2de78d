package npm

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// platformLists are os, cpu and libc lists as lockfiles hold them.
var platformLists = [][]string{
	nil, {"any"}, {"linux"}, {"darwin"}, {"linux", "darwin"}, {"!win32"}, {"!linux"},
	{"linux", "!linux"}, {"x64"}, {"arm64"}, {"!arm64"}, {"x64", "arm64"}, {"glibc"}, {"musl"},
	{"!glibc"}, {"!musl"}, {"any", "linux"}, {"win32", "!darwin"},
}

// TestPlatformContract ties the three copies of npm's platform rule and
// host table: Go's (Allows, Hosts; lock2nix --report), the builders' Nix
// (../node/modules.nix: platforms, allows, evaluated for each system's
// hostPlatform) and the layout program's JS (../node/modules.js: allows,
// handed the Nix host names as the builders hand them).
func TestPlatformContract(t *testing.T) {
	for _, tool := range []string{"nix-instantiate", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	lists, _ := json.Marshal(platformLists)
	nixFile, _ := filepath.Abs("../node/modules.nix")
	// Each system's hostPlatform, as nixpkgs sets the predicates the
	// table reads.
	expr := `let
  systems = {
    x86_64-linux = { isLinux = true; isDarwin = false; isWindows = false; isx86_64 = true; isAarch64 = false; };
    aarch64-linux = { isLinux = true; isDarwin = false; isWindows = false; isx86_64 = false; isAarch64 = true; };
    x86_64-darwin = { isLinux = false; isDarwin = true; isWindows = false; isx86_64 = true; isAarch64 = false; };
    aarch64-darwin = { isLinux = false; isDarwin = true; isWindows = false; isx86_64 = false; isAarch64 = true; };
  };
  lists = builtins.fromJSON ''` + string(lists) + `'';
in builtins.mapAttrs (system: hostPlatform:
  let l = import ` + nixFile + ` { stdenv = { inherit hostPlatform; }; nodejs = { }; python3 = null; cctools = null; scripts = { }; };
  in {
    names = l.hostNames;
    allows = map (list: builtins.mapAttrs (_: names: l.allows names (if list == null then [ ] else list)) l.hostNames) lists;
  }) systems`
	out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr).CombinedOutput()
	if err != nil {
		t.Fatalf("nix-instantiate: %v\n%s", err, out)
	}
	type verdicts = []map[string]bool // per list: field → allowed
	var nix map[string]struct {
		Names  map[string][]string
		Allows verdicts
	}
	if err := json.Unmarshal(out, &nix); err != nil {
		t.Fatal(err)
	}
	js, _ := filepath.Abs("../node/modules.js")
	for _, h := range Hosts {
		n, ok := nix[h.System]
		if !ok {
			t.Errorf("%s: not in the Nix table", h.System)
			continue
		}
		// The host table: Go's names are the builders'.
		goNames := map[string][]string{"os": {h.OS}, "cpu": {h.CPU}, "libc": nil}
		if h.Libc != "" {
			goNames["libc"] = []string{h.Libc}
		}
		if diff := cmp.Diff(goNames, n.Names, cmp.Comparer(func(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") })); diff != "" {
			t.Errorf("%s: host names, Go (-) and the builders' Nix (+):\n%s", h.System, diff)
		}
		// The rule: Go, Nix and JS agree on every list.
		names, _ := json.Marshal(n.Names)
		res, err := exec.Command("node", "-e", `
const m = require(process.argv[1]);
const names = JSON.parse(process.argv[2]), lists = JSON.parse(process.argv[3]);
console.log(JSON.stringify(lists.map((l) => Object.fromEntries(Object.keys(names).map((k) => [k, m.allows(names[k], l === null ? undefined : l)])))));
`, js, string(names), string(lists)).CombinedOutput()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, res)
		}
		var jsv verdicts
		if err := json.Unmarshal(res, &jsv); err != nil {
			t.Fatal(err)
		}
		for i, list := range platformLists {
			for _, field := range []string{"os", "cpu", "libc"} {
				value := map[string]string{"os": h.OS, "cpu": h.CPU, "libc": h.Libc}[field]
				g := Allows(list, value)
				if nv := n.Allows[i][field]; nv != g {
					t.Errorf("%s %s %q: Go says %v, Nix %v", h.System, field, list, g, nv)
				}
				if jv := jsv[i][field]; jv != g {
					t.Errorf("%s %s %q: Go says %v, JS %v", h.System, field, list, g, jv)
				}
			}
		}
	}
}
