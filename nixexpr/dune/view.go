package dune

import (
	"cmp"
	"slices"

	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/lockfile"
)

// A view is the lock as dune sees it on one platform: for each name the
// package it builds there, and each package's dependencies there. dune
// decides every variable that depends on the dependency set (a package's
// %{pkg:X:installed}, %{pkg:X:version}, …) over that platform's set, not
// over the union of all platforms' (Pkg_rules.Resolve and
// Lock_dir.Packages.pkgs_on_platform_by_name).
type view struct {
	// env holds the platform's variables (arch, os, …); nil for the
	// generic view, which only unconditional values match.
	env    map[string]string
	lock   *dunelock.Lock
	byName map[string]*lockfile.Package
}

// newView selects, for each name, the package dune builds on env: the
// first version, in dune's order of versions (byte-wise, as its
// Package_version.Map orders them), whose enabled_on_platforms matches.
// A stale lock holding two versions of a name with no
// enabled_on_platforms is resolved the same way.
func newView(l *dunelock.Lock, env map[string]string) *view {
	v := &view{env: env, lock: l, byName: map[string]*lockfile.Package{}}
	pkgs := slices.Clone(l.Graph.Packages)
	slices.SortStableFunc(pkgs, func(a, b *lockfile.Package) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
	})
	for _, p := range pkgs {
		if _, ok := v.byName[p.Name]; ok {
			continue
		}
		if r := l.Recipes[p.ID]; r == nil || r.EnabledOn == nil || matchesAny(r.EnabledOn, env) {
			v.byName[p.Name] = p
		}
	}
	return v
}

// matchesAny reports whether one of envs matches the platform env: every
// variable of it has its value there.
func matchesAny(envs []dunelock.PlatformEnv, env map[string]string) bool {
	return slices.ContainsFunc(envs, func(e dunelock.PlatformEnv) bool { return envMatches(e, env) })
}

func envMatches(e dunelock.PlatformEnv, env map[string]string) bool {
	for _, kv := range e {
		if v, ok := env[kv.Var]; !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// applies reports whether a dependency applies on the view's platform:
// its branch is the first of its choice that matches.
func (v *view) applies(d dunelock.Depend) bool {
	return (d.Platforms == nil || matchesAny(d.Platforms, v.env)) && !matchesAny(d.Unless, v.env)
}

// deps returns the names of p's dependencies on the view's platform that
// the lock builds there; dune itself is the running dune.
func (v *view) deps(p *lockfile.Package) []string {
	r := v.lock.Recipes[p.ID]
	if r == nil {
		return nil
	}
	var out []string
	for _, d := range r.Depends {
		if _, ok := v.byName[d.Name]; ok && d.Name != "dune" && v.applies(d) && !slices.Contains(out, d.Name) {
			out = append(out, d.Name)
		}
	}
	return out
}

// closure returns the names of p's transitive dependencies on the view's
// platform.
func (v *view) closure(p *lockfile.Package) map[string]bool {
	seen := map[string]bool{}
	var walk func(*lockfile.Package)
	walk = func(q *lockfile.Package) {
		for _, d := range v.deps(q) {
			if !seen[d] {
				seen[d] = true
				walk(v.byName[d])
			}
		}
	}
	walk(p)
	return seen
}

// compiler returns a shell compiler for p's scripts on the view's
// platform: its dependency closure there, and the versions and dev flags
// of the packages in it.
func (v *view) compiler(p *lockfile.Package) *shellCompiler {
	c := &shellCompiler{pkg: p, closure: v.closure(p), versions: map[string]string{}, dev: map[string]bool{}, platform: v.env}
	add := func(q *lockfile.Package) {
		c.versions[q.Name] = q.Version
		c.dev[q.Name] = v.lock.Recipes[q.ID] != nil && v.lock.Recipes[q.ID].Dev
	}
	for n := range c.closure {
		add(v.byName[n])
	}
	add(p)
	return c
}
