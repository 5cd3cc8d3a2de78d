package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusPnpm translates every real pnpm lockfile of the corpus, checks
// that two runs agree, that Nix evaluates the data with one fetcher per
// package carrying the lock's integrity, and instantiates the node_modules
// trees (all, production, and one per workspace project). The v5 lockfile
// (slidev) must stop with the upgrade message instead.
func TestCorpusPnpm(t *testing.T) {
	dirs := corpus(t, "js")
	needNix(t)
	n := 0
	for _, dir := range dirs {
		lockData, err := os.ReadFile(filepath.Join(dir, "pnpm-lock.yaml"))
		if err != nil {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			args := []string{"pnpm", dir, "--registry", "https://registry.npm.test/", "--allow-out-of-sync", "--root", filepath.Dir(dir)}
			if bytes.Contains(lockData[:min(len(lockData), 200)], []byte("lockfileVersion: 5")) {
				var stdout, stderr bytes.Buffer
				code := run(append(args, "-o", filepath.Join(t.TempDir(), "out.nix")), &stdout, &stderr)
				if code != 1 || !strings.Contains(stderr.String(), "pnpm-lock.yaml:1:18: lockfileVersion 5.3 is the format of pnpm 7 and earlier") || !strings.Contains(stderr.String(), "upgrade it with pnpm 8 or later") {
					t.Fatalf("a v5 lockfile: want exit 1 and the upgrade message, got %d:\n%s", code, stderr.String())
				}
				return
			}
			file, _ := translateTwice(t, args...)
			expr := `let
  pkgs = import ` + standin + ` { };
  r = (import ` + repoRoot + ` { inherit pkgs; }).pnpm { file = ` + file + `; src = /. + "` + mustAbs(t, dir) + `"; };
in [ r.nodeModules r.nodeModulesProd ] ++ map (w: w.nodeModules) (builtins.attrValues r.workspaces)`
			cmd := exec.Command("nix-instantiate", "-E", expr)
			cmd.Env = nixEnv()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("nix-instantiate %s: %v\n%s", file, err, out)
			}
			// One source per package of the lock, with its integrity.
			eval := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E",
				`(import `+file+`).sources`)
			out, err := eval.Output()
			if err != nil {
				t.Fatalf("nix-instantiate --eval: %v", err)
			}
			var sources map[string]struct{ URL, Hash string }
			if err := json.Unmarshal(out, &sources); err != nil {
				t.Fatal(err)
			}
			want := lockIntegrities(lockData)
			for id, integrity := range want {
				s, ok := sources[id]
				if !ok {
					t.Errorf("%s: no fetcher", id)
					continue
				}
				if s.Hash != integrity {
					t.Errorf("%s: hash %s, the lock says %s", id, s.Hash, integrity)
				}
			}
			if len(sources) < len(want) || len(want) < 100 {
				t.Errorf("%d fetchers for %d locked integrities", len(sources), len(want))
			}
		})
	}
	if n < 6 {
		t.Errorf("%d pnpm lockfiles in the corpus, want 6", n)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// lockIntegrities reads, line by line and independently of pnpmlock, the
// integrity of each registry package of the lock's last document, by
// name@version ("/name@version" in v6, peer suffixes dropped).
func lockIntegrities(data []byte) map[string]string {
	docs := strings.Split(string(data), "\n---\n")
	text := docs[len(docs)-1]
	out := map[string]string{}
	key := ""
	inPackages := false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "packages:"):
			inPackages = true
		case len(line) > 0 && line[0] != ' ':
			inPackages = false
		case inPackages && strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") && strings.HasSuffix(line, ":"):
			key = strings.Trim(strings.TrimSuffix(strings.TrimSpace(line), ":"), "'")
			key = strings.TrimPrefix(key, "/")
			if i := strings.Index(key[1:], "@"); i >= 0 {
				if j := strings.IndexByte(key[i+1:], '('); j >= 0 {
					key = key[:i+1+j]
				}
			}
		case inPackages && strings.Contains(line, "resolution: {integrity: ") && !strings.Contains(line, "tarball"):
			v := line[strings.Index(line, "integrity: ")+len("integrity: "):]
			v = strings.TrimSuffix(strings.TrimSpace(v), "}")
			if !strings.Contains(key, ":") {
				out[key] = v
			}
		}
	}
	return out
}
