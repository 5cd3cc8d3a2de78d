package dune

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
)

func lit(s string) dunelock.Term { return dunelock.Term{Parts: []dunelock.Part{{Lit: s}}} }

// hostile are texts full of shell and Nix syntax that must reach a
// program unchanged.
var hostile = []string{
	`"`, `\`, `${x}`, `''`, "a\nb", "\r\t", `$`, `$$`, `\${`, "ünï", `"; x = "`, "#{", "/*", "$(id)", "a;b", "a|b", "a&&b",
}

// TestShellArgs runs compiled run actions with bash: every argument must
// reach the program exactly as the lock wrote it, whatever it holds.
func TestShellArgs(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	args := []dunelock.Term{}
	var want []string
	for _, h := range append(hostile, "", "$(touch /tmp/pwned)", "`id`", "'", "a b", "*", "~", "!x", "--") {
		args = append(args, lit(h))
		want = append(want, h)
	}
	// Variables expand inside otherwise literal text.
	args = append(args, dunelock.Term{Parts: []dunelock.Part{{Lit: "--prefix="}, {Var: "prefix"}, {Lit: "/'x'"}}})
	want = append(want, "--prefix=/out/'x'")
	args = append(args, dunelock.Term{Form: dunelock.TermCatchUndefinedVar, Args: []dunelock.Term{{Parts: []dunelock.Part{{Var: "pkg:absent:lib"}}}, lit("fallback")}})
	want = append(want, "fallback")
	args = append(args, dunelock.Term{Form: dunelock.TermWhen, Cond: &dunelock.Cond{Op: dunelock.CondEq, Terms: []dunelock.Term{{Parts: []dunelock.Part{{Var: "os"}}}, lit("linux")}}, Args: []dunelock.Term{lit("only-on-linux")}})
	want = append(want, "only-on-linux")
	args = append(args, dunelock.Term{Form: dunelock.TermWhen, Cond: &dunelock.Cond{Op: dunelock.CondEq, Terms: []dunelock.Term{{Parts: []dunelock.Part{{Var: "os"}}}, lit("macos")}}, Args: []dunelock.Term{lit("only-on-macos")}})

	c := &shellCompiler{pkg: &lockfile.Package{ID: "p.1", Name: "p", Version: "1"}, closure: map[string]bool{}}
	script, err := c.script(&dunelock.Action{Kind: dunelock.Run, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	prelude := "set -e\nout=/out\ndune_os=linux\ndune_run() { printf '%s\\0' \"$@\"; }\n"
	got, err := exec.Command("bash", "-c", prelude+script).Output()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, script)
	}
	parts := strings.Split(strings.TrimSuffix(string(got), "\x00"), "\x00")
	if diff := cmp.Diff(want, parts); diff != "" {
		t.Errorf("argv (-want +got):\n%s\nscript:\n%s", diff, script)
	}
}

// TestEnvOps checks each dune environment operator against its table.
func TestEnvOps(t *testing.T) {
	tests := []struct {
		op           dunelock.EnvOp
		before, want string
	}{
		{dunelock.EnvEq, "a:b", "new"},
		{dunelock.EnvPlusEq, "a:b", "new:a:b"},
		{dunelock.EnvPlusEq, "", "new"},
		{dunelock.EnvEqPlus, "a:b", "a:b:new"},
		{dunelock.EnvEqPlus, "", "new"},
		{dunelock.EnvColonEq, "a:b", "new:a:b"},
		{dunelock.EnvColonEq, "", "new:"},
		{dunelock.EnvEqColon, "a:b", "a:b:new"},
		{dunelock.EnvEqColon, "", ":new"},
	}
	for _, tt := range tests {
		c := &shellCompiler{pkg: &lockfile.Package{Name: "p"}}
		env, err := c.exportedEnv([]dunelock.EnvUpdate{{Op: tt.op, Var: "V", Value: lit("new")}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := exec.Command("bash", "-c", "V="+shell.Quote(tt.before)+"\n"+env+"printf %s \"$V\"").Output()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("%s with V=%q: got %q, want %q", tt.op, tt.before, got, tt.want)
		}
	}
}
