package dune

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// parseLock parses a lock directory of the given package files, written
// in dune's form, with a plain lock.dune.
func parseLock(t *testing.T, pkgs map[string]string) *dunelock.Lock {
	t.Helper()
	fsys := fstest.MapFS{"dune.lock/lock.dune": {Data: []byte("(lang package 0.1)\n")}}
	for name, data := range pkgs {
		fsys["dune.lock/"+name] = &fstest.MapFile{Data: []byte(data)}
	}
	l, err := dunelock.ParseFS(fsys, dunelock.DefaultDir, dunelock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// buildScript compiles the build action of a lock directory of one
// package, a.pkg.
func buildScript(t *testing.T, pkg string) (string, error) {
	t.Helper()
	l := parseLock(t, map[string]string{"a.pkg": pkg})
	p := l.Graph.Packages[0]
	c := &shellCompiler{pkg: p, closure: map[string]bool{}}
	return c.script(l.Recipes[p.ID].Build[0].Action)
}

// runScript runs a compiled script with bash in a fresh folder, with the
// builders' dune_run, and returns the folder.
func runScript(t *testing.T, script string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", "-c", "set -e\nout=/out\ndune_run() { \"$@\"; }\n"+script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Logf("bash: %v\n%s\nscript:\n%s", err, out, script)
	}
	return dir, err
}

// TestActions builds a lock file's build action that uses every action
// lock2nix compiles, runs it with bash, and checks the files it leaves:
// each action must do what dune's action of that name does, and lockfile
// text, shell syntax included, must arrive unchanged.
func TestActions(t *testing.T) {
	script, err := buildScript(t, `(version 1)
(build
 (progn
  (with-stdout-to "out 1.txt" (echo "a'b" "$(id) ${x}" "\"q\\" "`+"`x`"+`"))
  (with-stderr-to err.txt (system "echo e >&2"))
  (with-outputs-to both.txt (bash "echo o; echo e >&2"))
  (with-stdin-from "out 1.txt" (with-stdout-to in.txt (run cat)))
  (with-stdout-to ignored.txt
   (progn
    (ignore-stdout (echo noise))
    (ignore-stderr (system "echo noise >&2"))
    (ignore-outputs (bash "echo x; echo y >&2"))
    (with-stdout-to %{null} (echo gone))))
  (setenv MY_VAR "v'$x \"" (with-stdout-to env.txt (system "printf %s \"$MY_VAR\"")))
  (setenv %{pkg-self:name}_VAR ok (with-stdout-to env2.txt (system "printf %s \"$a_VAR\"")))
  (copy "out 1.txt" "sub dir/copied.txt")
  (chdir "sub dir" (write-file "f'1" "text $HOME `+"`x`"+`"))
  (with-stdout-to cat.txt (cat "out 1.txt" "sub dir/f'1"))
  (diff "out 1.txt" "sub dir/copied.txt")
  (diff? "out 1.txt" absent)
  (cmp "out 1.txt" "sub dir/copied.txt")
  (no-infer (write-file ni.txt ok))
  (concurrent (write-file c1.txt 1) (write-file c2.txt 2))
  (with-stdout-to pipe.txt (pipe-stdout (echo "x y z") (run tr " " "\n") (run sort -r)))
  (with-stdout-to pipe-err.txt (pipe-stderr (system "echo out; echo err >&2") (run tr a-z A-Z)))
  (with-stdout-to pipe-all.txt (pipe-outputs (bash "echo out; echo err >&2") (run sort)))
  (with-accepted-exit-codes (or 0 3) (system "exit 3"))
  (with-accepted-exit-codes (not 0) (run false))
  (runexec touch runexec.txt)))
`)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := runScript(t, script)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"out 1.txt":          "a'b $(id) ${x} \"q\\ `x`",
		"err.txt":            "e\n",
		"both.txt":           "o\ne\n",
		"in.txt":             "a'b $(id) ${x} \"q\\ `x`",
		"ignored.txt":        "",
		"env.txt":            "v'$x \"",
		"env2.txt":           "ok",
		"sub dir/copied.txt": "a'b $(id) ${x} \"q\\ `x`",
		"sub dir/f'1":        "text $HOME `x`",
		"cat.txt":            "a'b $(id) ${x} \"q\\ `x`text $HOME `x`",
		"ni.txt":             "ok",
		"c1.txt":             "1",
		"c2.txt":             "2",
		"pipe.txt":           "z\ny\nx\n",
		"pipe-err.txt":       "ERR\nout\n", // sorted: the two streams race
		"pipe-all.txt":       "err\nout\n",
		"runexec.txt":        "",
	}
	got := map[string]string{}
	for name := range want {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got[name] = string(data)
		if name == "pipe-err.txt" {
			lines := strings.SplitAfter(got[name], "\n")
			slices.Sort(lines)
			got[name] = strings.Join(lines, "")
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s\nscript:\n%s", diff, script)
	}
}

// TestActionFailures checks that actions fail the build where dune's do.
func TestActionFailures(t *testing.T) {
	for _, action := range []string{
		`(with-accepted-exit-codes 0 (system "exit 2"))`,
		`(with-accepted-exit-codes (and (not 0) (not 1)) (run false))`,
		`(diff a b)`,
		`(cmp a b)`,
		`(bash "false; true")`,
		`(bash "echo $UNSET_VARIABLE")`,
		`(bash "false | true")`,
		`(pipe-stdout (system "exit 0") (system "exit 4"))`,
	} {
		script, err := buildScript(t, "(version 1)\n(build (progn (write-file a 1) (write-file b 2) "+action+"))")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := runScript(t, script); err == nil {
			t.Errorf("%s: the script succeeded", action)
		}
	}
}

// TestHostileActions runs compiled echo, write-file, setenv and
// with-stdout-to on texts full of shell and Nix syntax: each must arrive
// as the lock wrote it.
func TestHostileActions(t *testing.T) {
	for i, h := range hostile {
		name := "f" + strings.ReplaceAll(h, "/", "_")
		a := &dunelock.Action{Kind: dunelock.Progn, Body: []*dunelock.Action{
			{Kind: dunelock.WithStdoutTo, Args: []dunelock.Term{lit(name + ".echo")}, Body: []*dunelock.Action{{Kind: dunelock.Echo, Args: []dunelock.Term{lit(h), lit(h)}}}},
			{Kind: dunelock.WriteFile, Args: []dunelock.Term{lit(name + ".write"), lit(h)}},
			{Kind: dunelock.Setenv, Args: []dunelock.Term{lit("V"), lit(h)}, Body: []*dunelock.Action{
				{Kind: dunelock.WithStdoutTo, Args: []dunelock.Term{lit(name + ".env")}, Body: []*dunelock.Action{{Kind: dunelock.System, Args: []dunelock.Term{lit(`printf %s "$V"`)}}}},
			}},
			{Kind: dunelock.Copy, Args: []dunelock.Term{lit(name + ".write"), lit("d/" + name)}},
		}}
		c := &shellCompiler{pkg: &lockfile.Package{ID: "p.1", Name: "p", Version: "1"}, closure: map[string]bool{}}
		script, err := c.script(a)
		if err != nil {
			t.Fatal(err)
		}
		dir, err := runScript(t, script)
		if err != nil {
			t.Fatalf("%d %q: %v", i, h, err)
		}
		for ext, want := range map[string]string{".echo": h + " " + h, ".write": h, ".env": h} {
			got, err := os.ReadFile(filepath.Join(dir, name+ext))
			if err != nil || string(got) != want {
				t.Errorf("%q%s: got %q, %v", h, ext, got, err)
			}
		}
		if got, err := os.ReadFile(filepath.Join(dir, "d", name)); err != nil || string(got) != h {
			t.Errorf("%q copied: got %q, %v", h, got, err)
		}
	}
}

// TestHostileNames compiles variables whose values come from the lock
// (package names and versions) and runs them: shell syntax in a name or a
// version must arrive as text.
func TestHostileNames(t *testing.T) {
	for _, h := range hostile {
		c := &shellCompiler{pkg: &lockfile.Package{ID: "p.1", Name: "p", Version: h},
			closure: map[string]bool{h: true}, versions: map[string]string{h: h, "p": h}}
		args := []dunelock.Term{lit("printf"), lit("%s|"),
			{Parts: []dunelock.Part{{Var: "pkg-self:version"}}},
			{Parts: []dunelock.Part{{Var: "pkg:" + h + ":name"}}},
			{Parts: []dunelock.Part{{Var: "pkg:" + h + ":version"}}},
			{Parts: []dunelock.Part{{Var: "pkg:" + h + ":lib"}}},
		}
		script, err := c.script(&dunelock.Action{Kind: dunelock.Run, Args: args})
		if err != nil {
			t.Fatal(err)
		}
		script = "export " + depVar(h) + "=/dep\n" + script
		cmd := exec.Command("bash", "-c", "set -e\ndune_run() { \"$@\"; }\n"+script)
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("%q: %v\n%s", h, err, script)
		}
		if want := h + "|" + h + "|" + h + "|/dep/lib/" + h + "|"; string(got) != want {
			t.Errorf("got %q, want %q\n%s", got, want, script)
		}
	}
}

// TestStops checks that what lock2nix cannot build stops the generation
// with its place and what to do, every place at once. For =+= this is
// dune's own behaviour: its decoder reads the operator
// (Action.Env_update.Op) but Pkg_rules.Env_update.set ends in assert false
// for it, in withenv and exported_env alike, so both stop here too.
func TestStops(t *testing.T) {
	l := parseLock(t, map[string]string{
		"a.pkg": `(version 1)
(build
 (progn
  (cram t.t)
  (withenv ((=+= PATH x)) (run make))))
(exported_env
 (=+= CAML_LD_LIBRARY_PATH "\%{lib}%/stublibs"))`,
		"b.pkg": `(version 1)
(install (format-dune-file dune dune.out))`,
		"c.pkg": `(version 1)
(build (progn (copy# a.ml b.ml) (dynamic-run plugin)))
(exported_env (= "A.B" x))`,
	})
	_, err := Build(l, nixexpr.Header{})
	want := `dune.lock/a.pkg:4:3: lock2nix cannot build the action cram: it needs dune's cram test runner
dune.lock/a.pkg:5:13: lock2nix cannot apply (=+= PATH …): dune reads =+= but cannot apply it either; use = += =+ := or =:
dune.lock/a.pkg:7:2: lock2nix cannot apply (=+= CAML_LD_LIBRARY_PATH …): dune reads =+= but cannot apply it either; use = += =+ := or =:
dune.lock/b.pkg:2:10: lock2nix cannot build the action format-dune-file: it needs dune's own formatter of dune files
dune.lock/c.pkg:2:15: lock2nix cannot build the action copy#: its line directive names the file as dune's build directory does
dune.lock/c.pkg:2:33: lock2nix cannot build the action dynamic-run: it needs dune's action plugin protocol
dune.lock/c.pkg:3:15: environment variable name "A.B" is not a valid shell name`
	if err == nil {
		t.Fatal("no error")
	}
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzBuild parses arbitrary package files and compiles what parses: the
// compiler must return a file or positioned errors, never panic, whatever
// shape of action the parser lets through.
func FuzzBuild(f *testing.F) {
	for _, s := range []string{
		"(version 1)(build (run a %{b}))",
		"(version 1)(build (with-accepted-exit-codes (or 0 (not 1)) (pipe-stderr (echo a) (run cat))))",
		"(version 1)(build (setenv A b (with-stdin-from f (chdir d (diff? a b)))))",
		"(version 1)(install (progn (withenv ((=+= A b)) (cram x)) (ignore-outputs (bash x))))",
		"(version 1)(exported_env (+= PATH \"\\%{bin}%\"))(depexts (a) ((b) (<> %{os} linux)))",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"dune.lock/lock.dune": {Data: []byte("(lang package 0.1)\n")},
			"dune.lock/a.pkg":     {Data: data},
		}
		l, err := dunelock.ParseFS(fsys, dunelock.DefaultDir, dunelock.Options{})
		if err != nil {
			return
		}
		if _, err := Build(l, nixexpr.Header{}); err != nil && !strings.HasPrefix(err.Error(), "dune.lock/a.pkg:") {
			t.Fatalf("error without a place: %v", err)
		}
	})
}
