package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corpusPins pins the corpus's two unpinned git dev packages.
var corpusPins = []string{
	"--pin", "piaf=0000000000000000000000000000000000000001",
	"--pin", "textmate-language=0000000000000000000000000000000000000002",
}

// lockChecksums reads every (checksum algo=hex) of a lock directory with a
// regular expression, independently of dunelock, as SRI hashes.
func lockChecksums(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.pkg"))
	re := regexp.MustCompile(`\(checksum\s+(md5|sha256|sha512)=([0-9a-f]+)\)`)
	out := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(data, -1) {
			digest, err := hex.DecodeString(string(m[2]))
			if err != nil {
				t.Fatal(err)
			}
			out[string(m[1])+"-"+base64.StdEncoding.EncodeToString(digest)] = true
		}
	}
	return out
}

// duneCall is the Nix expression that builds a data file lock2nix dune
// wrote with the repository's builders, given pkgs and the builders'
// arguments (Nix expressions): what lock2nix.lib.dune returns.
func duneCall(pkgs, file, args string) string {
	return `((import ` + repoRoot + ` { pkgs = ` + pkgs + `; }).dune ({ file = ` + file + `; } // ` + args + `))`
}

// TestCorpusDune translates every real lock directory of the corpus and
// checks the result with real Nix: every checksum is an SRI hash on a
// fetcher, the data file parses and evaluates through the repository's
// builders, every package's derivation instantiates, and two runs are
// byte-identical. The --standalone file gives the same derivations.
func TestCorpusDune(t *testing.T) {
	dirs := corpus(t, "dune")
	needNix(t)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			file, _ := translateTwice(t, append([]string{"dune", dir}, corpusPins...)...)
			standalone := filepath.Join(t.TempDir(), "standalone.nix")
			translate(t, standalone, append([]string{"dune", dir, "--standalone"}, corpusPins...)...)
			hashes := map[string]bool{}
			for _, s := range evalSources(t, file) {
				hashes[s.Hash] = true
			}
			for h := range lockChecksums(t, filepath.Join(dir, "dune.lock")) {
				if !hashes[h] {
					t.Errorf("checksum %s has no fetcher", h)
				}
			}
			// Every package's derivation, for this host, instantiates with
			// the stand-in (nothing is fetched or built).
			abs, _ := filepath.Abs(dir)
			drvs := func(call func(args string) string) map[string]string {
				expr := `let
  pkgs = import ` + standin + ` { };
  args = { src = /. + "` + abs + `"; fetchGit = a: "/git/${a.rev}"; };
  first = ` + call("args") + `;
  names = builtins.concatMap (p: p.depexts or [ ]) (builtins.attrValues first.packages);
  r = ` + call(`(args // { depexts = builtins.listToAttrs (map (n: { name = n; value = pkgs.python3; }) names); })`) + `;
in builtins.mapAttrs (n: d: d.drvPath) (r.packagesByName // { " project" = r.project; })`
				inst := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
				inst.Env = nixEnv()
				out, err := inst.Output()
				if err != nil {
					t.Fatalf("nix-instantiate: %v\n%s", err, err.(*exec.ExitError).Stderr)
				}
				var got map[string]string
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatal(err)
				}
				return got
			}
			data := drvs(func(args string) string { return duneCall("pkgs", file, args) })
			if len(data) < 2 {
				t.Errorf("only %v", data)
			}
			if diff := cmp.Diff(data, drvs(func(args string) string { return "pkgs.callPackage " + standalone + " " + args })); diff != "" {
				t.Errorf("derivations of the data file (-) and the --standalone file (+):\n%s", diff)
			}
		})
	}
}

// TestDuneDepexts translates testdata/dune/depexts, a portable lock whose
// depexts mix names that always apply with names under conditions, and
// instantiates it with the stand-in: each package must get, as build
// inputs, the system packages named without a condition and those whose
// condition holds on NixOS, and nothing else.
func TestDuneDepexts(t *testing.T) {
	needNix(t)
	file := filepath.Join(t.TempDir(), "dune-lock.nix")
	translate(t, file, "dune", "../../testdata/dune/depexts")
	// Each system package is a marker string, so that a derivation's inputs
	// show which it got.
	expr := `let
  pkgs = import ` + standin + ` { };
  r = ` + duneCall("pkgs", file, `{
    depexts = builtins.listToAttrs (map (n: { name = n; value = "system:" + n; })
      [ "unzip" "gnupg" "gmp" "libgmp-dev" "foo" "bar" "baz" "foo-ubuntu" "bar-ubuntu" "qux" "never" ]);
  }`) + `;
  # Instantiating every derivation checks that the builders accept them.
  drvs = map (d: d.drvPath) (builtins.attrValues r.packagesByName);
in builtins.seq drvs (builtins.mapAttrs (n: d: builtins.filter builtins.isString d.standinInputs) r.packagesByName)`
	cmd := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
	cmd.Env = nixEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nix-instantiate: %v\n%s", err, err.(*exec.ExitError).Stderr)
	}
	var got map[string][]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"app":        {},
		"conf-gmp":   {"system:gmp"},
		"conf-mixed": {"system:foo", "system:baz", "system:bar", "system:qux"},
		"conf-unzip": {"system:unzip", "system:gnupg"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("system packages by package (-want +got):\n%s", diff)
	}
}
