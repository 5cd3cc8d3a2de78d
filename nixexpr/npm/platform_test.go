package npm

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// platformLists are os, cpu and libc lists as lockfiles hold them.
var platformLists = [][]string{
	nil, {"any"}, {"linux"}, {"darwin"}, {"linux", "darwin"}, {"!win32"}, {"!linux"},
	{"linux", "!linux"}, {"x64"}, {"arm64"}, {"!arm64"}, {"x64", "arm64"}, {"glibc"}, {"musl"},
	{"!glibc"}, {"!musl"}, {"any", "linux"}, {"win32", "!darwin"}, {"glibc", "musl"}, {"!glibc", "!musl"},
}

// TestSupportsLibc: npm refuses a package with a libc list wherever it
// finds no C library (darwin), "any" and "!musl" included.
func TestSupportsLibc(t *testing.T) {
	linux, darwin := Hosts[0], Hosts[3]
	for _, tc := range []struct {
		libc              []string
		onLinux, onDarwin bool
	}{
		{nil, true, true},
		{[]string{"glibc"}, true, false},
		{[]string{"musl"}, false, false},
		{[]string{"!musl"}, true, false},
		{[]string{"any"}, true, false},
		{[]string{"!glibc"}, false, false},
	} {
		if got := linux.Supports(nil, nil, tc.libc); got != tc.onLinux {
			t.Errorf("%s, libc %q: %v, want %v", linux.System, tc.libc, got, tc.onLinux)
		}
		if got := darwin.Supports(nil, nil, tc.libc); got != tc.onDarwin {
			t.Errorf("%s, libc %q: %v, want %v", darwin.System, tc.libc, got, tc.onDarwin)
		}
	}
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

// TestCandidatesContract ties the two copies of Node's lookup: the
// builders' candidates (Nix, deciding the derivations' inputs at
// evaluation) and layout.js's (deciding, in the build, what a dropped
// optional package leaves unreached).
func TestCandidatesContract(t *testing.T) {
	for _, tool := range []string{"nix-instantiate", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	cases := [][2]string{
		{"", "a"}, {"", "@s/a"}, {"node_modules/a", "b"}, {"node_modules/@s/a", "b"},
		{"node_modules/a/node_modules/b", "c"}, {"node_modules/a/node_modules/b/node_modules/c", "@s/d"},
		{"packages/w", "x"}, {"packages/w/node_modules/y", "z"}, {"../lib", "q"},
	}
	in, _ := json.Marshal(cases)
	file := filepath.Join(t.TempDir(), "lock.nix")
	var data bytes.Buffer
	if err := Emit(&data, &lockfile.Graph{}, nixexpr.Header{Input: "package-lock.json", Command: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// The project's own lookup ("" as dir) is the layout program's only:
	// the builders start from the project's node_modules directly.
	out := evalNix(t, repoRoot(t), `let c = (npm { file = `+file+`; }).contract.candidates; in
		map (x: if builtins.elemAt x 0 == "" then null else c (builtins.elemAt x 0) (builtins.elemAt x 1)) (builtins.fromJSON ''`+string(in)+`'')`)
	var nix [][]string
	if err := json.Unmarshal(out, &nix); err != nil {
		t.Fatal(err)
	}
	js, _ := filepath.Abs("layout.js")
	res, err := exec.Command("node", "-e", `const l = require(process.argv[1]); console.log(JSON.stringify(JSON.parse(process.argv[2]).map(([d, n]) => l.candidates(d, n))))`, js, string(in)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, res)
	}
	var jsc [][]string
	if err := json.Unmarshal(res, &jsc); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if c[0] == "" {
			continue
		}
		if diff := cmp.Diff(jsc[i], nix[i]); diff != "" {
			t.Errorf("candidates(%q, %q): layout.js (-) and builders.nix (+) differ:\n%s", c[0], c[1], diff)
		}
	}
}
