package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostile values carry Nix syntax; each must come out of Nix exactly as
// it went into the lockfile.
var hostile = []string{
	`a"b`, `back\slash`, "${builtins.abort \"x\"}", "''${x}", "'''", "new\nline", "tab\there", `$`, `\n`, `end\`,
	`''\n`, `'''\`, "$${x}", `\u0041`, "é✓",
}

// TestHostileRoundTrip writes a lockfile whose names, versions, URLs, bins
// and licenses are full of Nix syntax, translates it, evaluates the result
// with real Nix and compares every value with the input.
func TestHostileRoundTrip(t *testing.T) {
	needNix(t)
	type entry struct {
		Version   string            `json:"version"`
		Resolved  string            `json:"resolved"`
		Integrity string            `json:"integrity"`
		License   string            `json:"license"`
		Bin       map[string]string `json:"bin"`
		Deps      map[string]string `json:"dependencies"`
	}
	pkgs := map[string]any{"": map[string]any{"name": "root" + hostile[0]}}
	want := map[string]entry{}
	// Install paths may not hold backslashes or control characters, and
	// URLs no control characters: those are rejected (see testdata/bad).
	pathSafe := strings.NewReplacer("\\", "", "\n", "", "\t", "")
	for i, h := range hostile {
		name := "p" + string(rune('a'+i)) + pathSafe.Replace(h)
		e := entry{
			Version:   "1.0.0-" + h,
			Resolved:  "https://registry.npm.test/x/-/x.tgz?q=" + pathSafe.Replace(h),
			Integrity: "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
			License:   h,
			Bin:       map[string]string{"bin" + h: "cli" + h},
			Deps:      map[string]string{"dep" + h: "^" + h},
		}
		pkgs["node_modules/"+name] = e
		want[name] = e
	}
	lock, err := json.Marshal(map[string]any{"lockfileVersion": 3, "packages": pkgs})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), lock, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.nix")
	translate(t, out, "npm", dir)
	expr := `let r = (import ` + repoRoot + ` { pkgs.callPackage = fn: fn; }).npm ({ file = ` + out + `; } // ` + stubArgs + `); in {
  root = r.root.name;
  packages = builtins.mapAttrs (id: p: {
    inherit (p) name version license bins;
    url = p.src.url;
    deps = p.deps.prod;
    installs = builtins.attrNames p.installs;
  }) r.packages;
}`
	res, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr).CombinedOutput()
	if err != nil {
		t.Fatalf("nix-instantiate: %v\n%s", err, res)
	}
	var got struct {
		Root     string
		Packages map[string]struct {
			Name, Version, License, URL string
			Bins                        map[string]string
			Deps, Installs              []string
		}
	}
	if err := json.Unmarshal(res, &got); err != nil {
		t.Fatal(err)
	}
	if got.Root != "root"+hostile[0] {
		t.Errorf("root name %q", got.Root)
	}
	if len(got.Packages) != len(want) {
		t.Fatalf("%d packages, want %d", len(got.Packages), len(want))
	}
	for _, p := range got.Packages {
		w, ok := want[p.Name]
		if !ok {
			t.Errorf("unexpected package name %q", p.Name)
			continue
		}
		if diff := cmp.Diff([]string{w.Version, w.License, w.Resolved, "node_modules/" + p.Name}, []string{p.Version, p.License, p.URL, strings.Join(p.Installs, ",")}); diff != "" {
			t.Errorf("%q (-want +got):\n%s", p.Name, diff)
		}
		if diff := cmp.Diff(w.Bin, p.Bins); diff != "" {
			t.Errorf("%q bins (-want +got):\n%s", p.Name, diff)
		}
		var wantDeps []string
		for name := range w.Deps {
			wantDeps = append(wantDeps, name)
		}
		if diff := cmp.Diff(wantDeps, p.Deps); diff != "" {
			t.Errorf("%q deps (-want +got):\n%s", p.Name, diff)
		}
	}
}
