package npm

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// TestRecordsContract evaluates the builders' reading of the records with
// real Nix: where the emitter leaves a package's name, version or pname
// out, the builders must derive what the graph says (the ID "name@version"
// split at its last "@", the pname "@scope/x" → "scope-x").
func TestRecordsContract(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
	h, _ := lockfile.ParseIntegrity("sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==")
	g := &lockfile.Graph{Root: lockfile.Root{Name: "contract", Version: "1.0.0"}}
	for _, nv := range [][3]string{
		{"ms@2.1.3", "ms", "2.1.3"},
		{"@types/node@20.1.0", "@types/node", "20.1.0"},
		{"lodash.merge@4.6.2", "lodash.merge", "4.6.2"},
		{"a@b@1.0.0", "a@b", "1.0.0"},                       // an @ in the name
		{"x@1.0.0-rc.1+build", "x", "1.0.0-rc.1+build"},     // a version with + and -
		{"y@git", "y", ""},                                  // no version: the ID carries the kind
		{"@s/weird name!@1.0.0", "@s/weird name!", "1.0.0"}, // a pname that must be written
		{"z@1.0.0~0a1b2c3d", "z", "1.0.0"},                  // a suffixed ID
		{".dot@1.0.0", ".dot", "1.0.0"},
	} {
		g.Packages = append(g.Packages, &lockfile.Package{
			ID: nv[0], Name: nv[1], Version: nv[2],
			Source:   lockfile.Source{Kind: lockfile.Tarball, URL: "https://registry.npm.test/" + nv[1] + ".tgz", Hash: h},
			Installs: []lockfile.Install{{Path: "node_modules/" + nv[1]}},
		})
	}
	g.Sort()
	var file bytes.Buffer
	if err := Emit(&file, g, nixexpr.Header{Generator: "test", Input: "package-lock.json", Command: "test"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "lock.nix")
	if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := evalNix(t, repoRoot(t), `builtins.mapAttrs (id: p: { inherit (p) name version pname; }) (npm { file = `+path+`; }).packages`)
	type names struct{ Name, Version, Pname string }
	var got map[string]names
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]names{}
	for _, p := range g.Packages {
		want[p.ID] = names{p.Name, p.Version, nixexpr.DrvName(p.Name, "package")}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the builders read the records differently from the graph (-graph +builders):\n%s", diff)
	}
}

// repoRoot is the repository, whose default.nix gives the builders.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// evalNix evaluates expr strictly to JSON, with pkgs (the nixpkgs
// stand-in) and npm (repo's builders: import repo { inherit pkgs; }).npm
// in scope; it fails the test on an error.
func evalNix(t *testing.T, repo, expr string) []byte {
	t.Helper()
	out, err := tryEvalNix(t, repo, expr)
	if err != nil {
		t.Fatalf("nix-instantiate: %v\n%s", err, out)
	}
	return out
}

// tryEvalNix is evalNix returning the error and Nix's message.
func tryEvalNix(t *testing.T, repo, expr string) ([]byte, error) {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
	standin := filepath.Join(repoRoot(t), "testdata", "nixpkgs-standin")
	full := `let pkgs = import ` + standin + ` { }; npm = (import ` + repo + ` { inherit pkgs; }).npm; in ` + expr
	cmd := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", full)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return stderr.Bytes(), err
	}
	return out, nil
}
