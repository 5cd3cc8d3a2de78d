package dune

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/lockfile"
)

// stops are the forms the compiler refuses on purpose, with the reason
// README gives.
var stops = map[string]string{
	"=+=": "dune accepts =+= but cannot apply it",
}

// TestEveryFormCompiles builds one of each value of every closed set of
// dune's recipe language (actions, term forms, conditions, environment
// operators) and compiles it: each must give a script that bash can parse,
// without the compiler's "cannot build" failure, unless it is one of the
// deliberate stops. A value added to dunelock without a compilation fails
// here.
func TestEveryFormCompiles(t *testing.T) {
	osVar := dunelock.Term{Parts: []dunelock.Part{{Var: "os"}}}
	cond := &dunelock.Cond{Op: dunelock.CondEq, Terms: []dunelock.Term{osVar, lit("linux")}}
	body := &dunelock.Action{Kind: dunelock.Run, Args: []dunelock.Term{lit("true")}}
	// Every field is set, so that each form finds what it reads.
	action := func(k dunelock.ActionKind, env ...dunelock.EnvUpdate) *dunelock.Action {
		if env == nil {
			env = []dunelock.EnvUpdate{{Op: dunelock.EnvEq, Var: "V", Value: lit("v")}}
		}
		return &dunelock.Action{Kind: k, Args: []dunelock.Term{lit("a"), lit("b")}, Cond: cond, Env: env, Body: []*dunelock.Action{body}}
	}
	term := func(f dunelock.TermForm) *dunelock.Action {
		a := action(dunelock.Run)
		a.Args = []dunelock.Term{{Form: f, Parts: []dunelock.Part{{Lit: "x"}}, Args: []dunelock.Term{osVar, lit("y")}, Cond: cond}}
		return a
	}
	condition := func(op dunelock.CondOp) *dunelock.Action {
		a := action(dunelock.When)
		a.Cond = &dunelock.Cond{Op: op, Args: []*dunelock.Cond{cond, cond}, Terms: []dunelock.Term{osVar, lit("linux")}}
		return a
	}
	var cases []struct {
		name string
		a    *dunelock.Action
	}
	add := func(name string, a *dunelock.Action) {
		cases = append(cases, struct {
			name string
			a    *dunelock.Action
		}{name, a})
	}
	for _, k := range dunelock.ActionKinds() {
		add("action "+k.String(), action(k))
	}
	for _, f := range dunelock.TermForms() {
		add("term "+f.String(), term(f))
	}
	for _, op := range dunelock.CondOps() {
		add("condition "+op.String(), condition(op))
	}
	for _, op := range dunelock.EnvOps() {
		add("env "+op.String(), action(dunelock.Withenv, dunelock.EnvUpdate{Op: op, Var: "V", Value: lit("v")}))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &shellCompiler{pkg: &lockfile.Package{ID: "p.1", Name: "p", Version: "1"}, closure: map[string]bool{}}
			script := c.script(tc.a)
			if c.err != nil {
				for form, why := range stops {
					if strings.HasSuffix(tc.name, " "+form) {
						t.Skipf("a deliberate stop: %s (%v)", why, c.err)
					}
				}
				t.Fatalf("no compilation: %v", c.err)
			}
			if strings.Contains(script, "cannot build") {
				t.Fatalf("script fails:\n%s", script)
			}
			if _, err := exec.LookPath("bash"); err == nil {
				if out, err := exec.Command("bash", "-n", "-c", script).CombinedOutput(); err != nil {
					t.Errorf("bash -n: %v\n%s\n%s", err, out, script)
				}
			}
		})
	}
}
