package dune

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/lockfile"
)

// TestEveryFormCompiles builds one of each value of every closed set of
// dune's recipe language (actions, term forms, conditions, environment
// operators) and compiles it: each must give a script that bash can parse,
// without an error, unless it is one of the deliberate stops (the actions
// of stops, and =+=), which must stop with their message. A value added to
// dunelock without a compilation fails here.
func TestEveryFormCompiles(t *testing.T) {
	osVar := dunelock.Term{Parts: []dunelock.Part{{Var: "os"}}}
	cond := &dunelock.Cond{Op: dunelock.CondEq, Terms: []dunelock.Term{osVar, lit("linux")}}
	body := &dunelock.Action{Kind: dunelock.Run, Args: []dunelock.Term{lit("true")}}
	// Every field is set, so that each form finds what it reads.
	action := func(k dunelock.ActionKind, env ...dunelock.EnvUpdate) *dunelock.Action {
		if env == nil {
			env = []dunelock.EnvUpdate{{Op: dunelock.EnvEq, Var: "V", Value: lit("v")}}
		}
		return &dunelock.Action{Kind: k, Args: []dunelock.Term{lit("a"), lit("b")}, Cond: cond, Env: env,
			Codes: &dunelock.ExitCodes{Op: dunelock.CondNot, Args: []dunelock.ExitCodes{{Op: dunelock.CondEq, Code: 1}}},
			Body:  []*dunelock.Action{body, body}}
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
	type testCase struct {
		name string
		a    *dunelock.Action
		stop string // the message of a deliberate stop
	}
	var cases []testCase
	add := func(name string, a *dunelock.Action) { cases = append(cases, testCase{name: name, a: a}) }
	for _, k := range dunelock.ActionKinds() {
		tc := testCase{name: "action " + k.String(), a: action(k)}
		if why, ok := stops[k]; ok {
			tc.stop = "lock2nix cannot build the action " + k.String() + ": " + why
		}
		cases = append(cases, tc)
	}
	for _, f := range dunelock.TermForms() {
		add("term "+f.String(), term(f))
	}
	for _, op := range dunelock.CondOps() {
		add("condition "+op.String(), condition(op))
	}
	for _, op := range dunelock.EnvOps() {
		tc := testCase{name: "env " + op.String(), a: action(dunelock.Withenv, dunelock.EnvUpdate{Op: op, Var: "V", Value: lit("v")})}
		if op == dunelock.EnvEqPlusEq {
			tc.stop = "lock2nix cannot apply (=+= V …): dune reads =+= but cannot apply it either; use = += =+ := or =:"
		}
		cases = append(cases, tc)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &shellCompiler{pkg: &lockfile.Package{ID: "p.1", Name: "p", Version: "1"}, closure: map[string]bool{}}
			script, err := c.script(tc.a)
			switch {
			case tc.stop != "":
				if err == nil || !strings.HasSuffix(err.Error(), ": "+tc.stop) {
					t.Fatalf("got %v, want the stop %q", err, tc.stop)
				}
				return
			case err != nil:
				t.Fatalf("no compilation: %v", err)
			}
			if _, err := exec.LookPath("bash"); err == nil {
				if out, err := exec.Command("bash", "-n", "-c", script).CombinedOutput(); err != nil {
					t.Errorf("bash -n: %v\n%s\n%s", err, out, script)
				}
			}
		})
	}
}
