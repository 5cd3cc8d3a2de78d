package dune

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// TestBuildersAgree evaluates data files with real Nix on each of Hosts,
// through the repository's builders as lib.dune reads them, and checks that the builders build what Go compiled the scripts
// for: the same version of each name, the same dependency closure (the
// dep_ variables exported), the exported_env of each dependency and the
// script Go chose for that system. It
// reads a hand-written lock and every lock of the shared corpus.
func TestBuildersAgree(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
	locks := map[string]func(t *testing.T) *dunelock.Lock{
		"hand-written": func(t *testing.T) *dunelock.Lock {
			l, err := dunelock.ParseFS(platformFS, dunelock.DefaultDir, dunelock.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return l
		},
	}
	// Every lock of the shared corpus, when it is there.
	entries, _ := os.ReadDir(filepath.Join("../../../shared/corpus/dune"))
	for _, c := range entries {
		if c.IsDir() {
			locks[c.Name()] = func(t *testing.T) *dunelock.Lock { return corpusLock(t, c.Name()) }
		}
	}
	for name, read := range locks {
		t.Run(name, func(t *testing.T) {
			l := read(t)
			f, err := Build(l, nixexpr.Header{Generator: "test"})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := nixexpr.Print(&buf, f); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "lock.nix")
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			e := newEmitter(l)
			for h, hp := range Hosts {
				// mkDerivation returns its attributes; every package's
				// path is /dep/<name>.
				expr := `let
  built = ` + fakeBuilt(t, repoRoot(t), file, hp.System, "") + `;
in builtins.mapAttrs (n: d: { inherit (d) version configurePhase buildPhase; }) built.packagesByName`
				out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr).CombinedOutput()
				if err != nil {
					t.Fatalf("%s: nix-instantiate: %v\n%s", hp.System, err, out)
				}
				var got map[string]struct{ Version, ConfigurePhase, BuildPhase string }
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatal(err)
				}
				v := e.hosts[h]
				var gotNames, wantNames []string
				for n := range got {
					gotNames = append(gotNames, n)
				}
				for n := range v.byName {
					wantNames = append(wantNames, n)
				}
				slices.Sort(gotNames)
				slices.Sort(wantNames)
				if diff := cmp.Diff(wantNames, gotNames); diff != "" {
					t.Errorf("%s: packages, Go (-) and builders (+):\n%s", hp.System, diff)
				}
				for n, p := range v.byName {
					g, ok := got[n]
					if !ok {
						continue
					}
					// The derivation's version, in the characters Nix allows.
					if want := nixexpr.DrvName(p.Version, "0"); g.Version != want {
						t.Errorf("%s: %s: version %s in Go, %s in the builders", hp.System, n, want, g.Version)
					}
					deps := []string{}
					for d := range v.closure(p) {
						deps = append(deps, depVar(d))
					}
					slices.Sort(deps)
					exported := []string{}
					for _, m := range depExport.FindAllStringSubmatch(g.ConfigurePhase, -1) {
						exported = append(exported, m[1])
					}
					slices.Sort(exported)
					if diff := cmp.Diff(deps, exported); diff != "" {
						t.Errorf("%s: %s: closure, Go (-) and builders (+):\n%s", hp.System, n, diff)
					}
					// Each dependency's exported_env, as Go compiled it
					// for this host.
					for d := range v.closure(p) {
						dp := v.byName[d]
						if env := l.Recipes[dp.ID].Env; len(env) > 0 {
							want, _ := v.compiler(dp).exportedEnv(env)
							if !strings.Contains(g.ConfigurePhase, want) {
								t.Errorf("%s: %s: the builders' configure phase lacks %s's exported_env as Go compiled it\n%s\n--- configure phase:\n%s", hp.System, n, d, want, g.ConfigurePhase)
							}
						}
					}
					r := l.Recipes[p.ID]
					if i := pick(r.Build, hp.Vars); i >= 0 {
						hosts := make([]*shellCompiler, len(Hosts))
						hosts[h] = v.compiler(p)
						generic, per, _ := branchScripts(e.generic.compiler(p), hosts, r.Build, i)
						want := generic
						if s, ok := per[hp.System]; ok {
							want = s
						}
						if !bytes.Contains([]byte(g.BuildPhase), []byte(want)) {
							t.Errorf("%s: %s: the builders' build phase lacks Go's script\n%s\n--- build phase:\n%s", hp.System, n, want, g.BuildPhase)
						}
					}
				}
			}
		})
	}
}

var depExport = regexp.MustCompile(`(?m)^\s*export (dep_\w+)=`)
