package main

import (
	"slices"
	"strings"

	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/nixexpr/dune"
	"github.com/lock2nix/lock2nix/report"
)

// duneFacts are what --report needs to know of a dune lock besides the
// graph: which packages run programs other than dune to build or install
// (a package built with dune's default, dune build -p, runs none), the
// user's pins, which Nix systems get each package enabled on some
// platforms only, and the extra sources. dune has no registry: every
// tarball comes from its own URL.
func duneFacts(lock *dunelock.Lock) report.Facts {
	f := report.Facts{Scripts: map[string]string{}, Platforms: map[string]report.Restriction{}}
	for _, p := range lock.Graph.Packages {
		r := lock.Recipes[p.ID]
		if r == nil {
			continue
		}
		var runs []string
		for _, phase := range []struct {
			name     string
			branches []dunelock.Branch
		}{{"build", r.Build}, {"install", r.Install}} {
			if progs := programs(phase.branches); len(progs) > 0 {
				runs = append(runs, phase.name+": "+strings.Join(progs, ", "))
			}
		}
		if len(runs) > 0 {
			f.Scripts[p.ID] = strings.Join(runs, "; ")
		}
		if r.EnabledOn != nil {
			var rule, hosts []string
			for _, env := range r.EnabledOn {
				rule = append(rule, envText(env))
			}
			for _, s := range duneSystems {
				if slices.ContainsFunc(r.EnabledOn, func(env dunelock.PlatformEnv) bool { return envMatches(env, s.Vars) }) {
					hosts = append(hosts, s.System)
				}
			}
			f.Platforms[p.ID] = report.Restriction{Rule: "enabled on " + strings.Join(rule, " | "), Hosts: hosts}
		}
		for _, e := range r.Extra {
			f.Extra = append(f.Extra, report.Extra{Package: p.ID, Path: e.Path, Source: e.Source})
		}
	}
	return f
}

// programs lists, in order and once each, what the branches' actions run
// besides dune: run's program as written, "a shell script" for system and
// bash.
func programs(branches []dunelock.Branch) []string {
	var out []string
	add := func(s string) {
		if s != "dune" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	var walk func(a *dunelock.Action)
	walk = func(a *dunelock.Action) {
		switch {
		case (a.Kind == dunelock.Run || a.Kind == dunelock.Runexec) && len(a.Args) > 0:
			add(a.Args[0].String())
		case a.Kind == dunelock.System || a.Kind == dunelock.Bash:
			add("a shell script")
		}
		for _, b := range a.Body {
			walk(b)
		}
	}
	for _, b := range branches {
		if b.Action != nil {
			walk(b.Action)
		}
	}
	return out
}

func envText(env dunelock.PlatformEnv) string {
	var parts []string
	for _, v := range env {
		parts = append(parts, v.Var+"="+v.Value)
	}
	return strings.Join(parts, " ")
}

func envMatches(env dunelock.PlatformEnv, vars map[string]string) bool {
	for _, v := range env {
		if vars[v.Var] != v.Value {
			return false
		}
	}
	return true
}

// duneSystems gives report.Systems, in its order, with the values dune's
// platform variables take on each (nixexpr/dune's table).
var duneSystems = func() []dune.Host {
	var out []dune.Host
	for _, sys := range report.Systems {
		for _, h := range dune.Hosts {
			if h.System == sys {
				out = append(out, h)
			}
		}
	}
	return out
}()
