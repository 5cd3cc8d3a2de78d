package dune

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/dunelock"
)

// hostRuns runs the build script the builders pick for package name on
// system (the version built there, its first matching branch, the
// system's script or else the generic one) with bash, and returns the
// argv of every program it runs; nil when the package is not built there.
// With Nix, the script is the build phase lock2nix's builders make of the
// lock's data file on that system; without, the one Go picks for it
// (TestBuildersAgree checks that the two agree).
func hostRuns(t *testing.T, l *dunelock.Lock, name, system string) [][]string {
	t.Helper()
	var script string
	if _, err := exec.LookPath("nix-instantiate"); err == nil {
		out, err := evalJSON(`let p = ` + fakeBuilt(t, repoRoot(t), writeData(t, l), system, "") + `.packagesByName; in if p ? "` + name + `" then p."` + name + `".buildPhase else ""`)
		if err != nil {
			t.Fatalf("nix-instantiate: %v\n%s", err, out)
		}
		if err := json.Unmarshal(out, &script); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(script, "runHook preBuild") {
			return nil
		}
	} else {
		script = goScript(t, l, name, system)
	}
	prelude := "set -e\nout=/out\nNIX_BUILD_CORES=4\nrunHook() { :; }\ndune_run() { printf '%s\\0' \"$@\"; printf '\\n'; }\n"
	out, err := exec.Command("bash", "-c", prelude+script).Output()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, script)
	}
	if len(out) == 0 {
		return nil
	}
	var runs [][]string
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		runs = append(runs, strings.Split(strings.TrimSuffix(line, "\x00"), "\x00"))
	}
	return runs
}

// goScript is the build script Go compiles for package name on system,
// "" when the package is not built there.
func goScript(t *testing.T, l *dunelock.Lock, name, system string) string {
	t.Helper()
	e := newEmitter(l)
	h := -1
	for i, hp := range Hosts {
		if hp.System == system {
			h = i
		}
	}
	p := e.hosts[h].byName[name]
	if p == nil {
		return ""
	}
	r := l.Recipes[p.ID]
	i := pick(r.Build, Hosts[h].Vars)
	if i < 0 {
		return ""
	}
	hosts := make([]*shellCompiler, len(Hosts))
	hosts[h] = e.hosts[h].compiler(p)
	generic, per, err := branchScripts(e.generic.compiler(p), hosts, r.Build, i)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := per[system]; ok {
		return s
	}
	return generic
}

const linuxX86 = "((arch x86_64) (os linux))"

// platformFS is a portable lock whose dependency sets differ per platform.
var platformFS = fstest.MapFS{
	"dune.lock/lock.dune": {Data: []byte("(lang package 0.1)\n(solved_for_platforms " + linuxX86 + " ((arch arm64) (os macos)))\n")},
	"dune.lock/a.1.pkg": {Data: []byte(`(version 1)
(build (all_platforms ((action (run echo %{pkg:opt:installed} %{pkg:b:version} %{pkg:c:version} %{pkg:first:installed} %{pkg-self:build-id} %{pkg:absent:build-id} %{pkg:dune:installed})))))
(depends
 (choice
  ((` + linuxX86 + `) (opt b c first envp dune))
  ((((arch arm64) (os macos))) (b c envp dune))))`)},
	// An exported_env value is decided per platform too.
	"dune.lock/envp.1.pkg": {Data: []byte(`(version 1)
(exported_env (= OPT_INSTALLED %{pkg:opt:installed}))
(depends (choice ((` + linuxX86 + `) (opt)) ((((arch arm64) (os macos))) ())))`)},
	"dune.lock/opt.1.pkg": {Data: []byte("(version 1)\n")},
	// One version per platform.
	"dune.lock/b.1.pkg": {Data: []byte("(version 1)\n(enabled_on_platforms (only " + linuxX86 + "))\n")},
	"dune.lock/b.2.pkg": {Data: []byte("(version 2)\n(enabled_on_platforms (only ((arch arm64) (os macos))))\n")},
	// A stale lock's two versions: dune orders versions byte-wise,
	// so 1.10 comes before 1.9.
	"dune.lock/c.1.9.pkg":  {Data: []byte("(version 1.9)\n")},
	"dune.lock/c.1.10.pkg": {Data: []byte("(version 1.10)\n")},
	// Overlapping branches: the first that matches is taken.
	"dune.lock/first.1.pkg": {Data: []byte(`(version 1)
(build (all_platforms ((action (run echo %{pkg:opt:installed})))))
(depends (choice ((((os linux))) ()) ((((arch x86_64))) (opt))))`)},
}

// TestPlatformVariables checks that the variables that depend on the
// dependency set are decided on each platform over that platform's set,
// as dune decides them: %{pkg:X:installed} and %{pkg:X:version} (the
// version built there), a choice's first matching branch, a stale lock's
// versions in dune's order, and build-id. dune is the running dune, not a
// package of the lock: %{pkg:dune:installed} is false, as in dune's
// builds (Pkg_rules.Resolve leaves the system-provided dune out of the
// closure).
func TestPlatformVariables(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	l, err := dunelock.ParseFS(platformFS, dunelock.DefaultDir, dunelock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, system string
		want         [][]string
	}{
		{"a", "x86_64-linux", [][]string{{"echo", "true", "1", "1.10", "true", buildID, buildID, "false"}}},
		{"a", "aarch64-darwin", [][]string{{"echo", "false", "2", "1.10", "false", buildID, buildID, "false"}}},
		{"first", "x86_64-linux", [][]string{{"echo", "false"}}},
		{"first", "x86_64-darwin", [][]string{{"echo", "true"}}},
	}
	// On aarch64-linux b has no version: %{pkg:b:version} is undefined
	// there, and the script stops when it runs, as dune does.
	e := newEmitter(l)
	p := e.hosts[1].byName["a"]
	if s, err := e.hosts[1].compiler(p).script(l.Recipes[p.ID].Build[0].Action); err != nil || !strings.Contains(s, "dune_undefined 'pkg:b:version'") {
		t.Errorf("aarch64-linux: want the script to stop on pkg:b:version, got %v\n%s", err, s)
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.system, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, hostRuns(t, l, tt.name, tt.system)); diff != "" {
				t.Errorf("argv (-want +got):\n%s", diff)
			}
		})
	}
}

// corpusLock reads a lock of the shared corpus, or skips.
func corpusLock(t *testing.T, name string) *dunelock.Lock {
	t.Helper()
	dir := filepath.Join("../../../shared/corpus/dune", name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the shared corpus is absent (%v)", err)
	}
	l, err := dunelock.ParseFS(os.DirFS(dir), dunelock.DefaultDir, dunelock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestPlatformVariablesCorpus checks two real portable locks whose
// dependency sets differ per platform: lunno's OCaml 5.4.0 is configured
// bytecode-only only where ocaml-option-bytecode-only is a dependency
// (Windows, which no Nix system is), and ocamlmig's compiler gets the
// version of compiler-cloning built on each platform.
func TestPlatformVariablesCorpus(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	configure := []string{"./configure", "--prefix=/out", "--docdir=/out/doc/ocaml", "-C"}
	lunnoLinux := [][]string{append(configure, "--disable-warn-error"), {"make", "-j4"}}
	lunnoMac := [][]string{append(configure, "CC=cc", "--disable-warn-error"), {"make", "-j4"}}
	mig := func(cloning string, extra ...string) [][]string {
		argv := []string{"sh", "tools/opam/process.sh", "make", "-j4", buildID, "ocaml-compiler", cloning,
			"--prefix=/out", "--docdir=/out/doc/ocaml", "--with-additional-stublibsdir", "--with-relative-libdir",
			"--enable-runtime-search", "--enable-runtime-search-target=fallback"}
		return [][]string{append(append(argv, extra...), "--disable-warn-error")}
	}
	tests := []struct {
		lock, system string
		want         [][]string
	}{
		{"PeterGriffinSr__lunno.2026-02", "x86_64-linux", lunnoLinux},
		{"PeterGriffinSr__lunno.2026-02", "aarch64-linux", lunnoLinux},
		{"PeterGriffinSr__lunno.2026-02", "x86_64-darwin", lunnoMac},
		{"PeterGriffinSr__lunno.2026-02", "aarch64-darwin", lunnoMac},
		{"v-gb__ocamlmig.2026-08", "x86_64-linux", mig("enabled")},
		{"v-gb__ocamlmig.2026-08", "aarch64-linux", mig("enabled")},
		{"v-gb__ocamlmig.2026-08", "x86_64-darwin", mig("disabled", "CC=cc")},
		{"v-gb__ocamlmig.2026-08", "aarch64-darwin", mig("disabled", "CC=cc")},
	}
	for _, tt := range tests {
		t.Run(strings.Split(tt.lock, "__")[1]+"/"+tt.system, func(t *testing.T) {
			l := corpusLock(t, tt.lock)
			if diff := cmp.Diff(tt.want, hostRuns(t, l, "ocaml-compiler", tt.system)); diff != "" {
				t.Errorf("argv (-want +got):\n%s", diff)
			}
		})
	}
}
