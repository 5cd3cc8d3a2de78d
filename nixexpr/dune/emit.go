package dune

import (
	_ "embed"
	"fmt"
	"io"
	"slices"

	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
)

//go:embed builders.nix
var builders string

// compilerPackages are the packages a nixpkgs ocaml given as the "ocaml"
// argument replaces.
var compilerPackages = []string{"ocaml", "ocaml-base-compiler", "ocaml-compiler", "ocaml-variants", "ocaml-system"}

// Emit writes the lock as one Nix file: a function in callPackage style
// with a fetcher for every source and extra source, each package's recipe
// compiled to shell, and the dune builders. Nothing is written on an
// error.
func Emit(w io.Writer, l *dunelock.Lock, h nixexpr.Header) error {
	f, err := Build(l, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

// Build returns the syntax tree Emit prints.
func Build(l *dunelock.Lock, h nixexpr.Header) (*nixexpr.File, error) {
	g := l.Graph
	versions := map[string]string{}
	dev := map[string]bool{}
	deps := map[string][]string{}
	for _, p := range g.Packages {
		versions[p.Name] = p.Version
		dev[p.Name] = l.Recipes[p.ID] != nil && l.Recipes[p.ID].Dev
		for _, d := range p.Deps {
			if !slices.Contains(deps[p.Name], d.Name) {
				deps[p.Name] = append(deps[p.Name], d.Name)
			}
		}
	}
	closure := func(name string) map[string]bool {
		seen := map[string]bool{}
		var walk func(string)
		walk = func(n string) {
			for _, d := range deps[n] {
				if !seen[d] {
					seen[d] = true
					walk(d)
				}
			}
		}
		walk(name)
		return seen
	}

	sources := nixexpr.NewSources(len(g.Packages))
	needSrc := false
	addSource := func(name string, s lockfile.Source) (nixexpr.Expr, error) {
		switch s.Kind {
		case lockfile.Tarball, lockfile.Git:
			name, err := sources.Add(name, s)
			if err != nil {
				return nil, err
			}
			return nixexpr.Select{Expr: nixexpr.Ident{Name: "sources"}, Attrs: []string{name}}, nil
		case lockfile.Directory, lockfile.LocalTarball:
			needSrc = true
			return nixexpr.Apply{Func: nixexpr.Ident{Name: "local"}, Args: []nixexpr.Expr{nixexpr.String{Value: s.Path}}}, nil
		}
		return nixexpr.Null{}, nil
	}

	var pkgs []nixexpr.Binding
	for _, p := range g.Packages {
		r := l.Recipes[p.ID]
		if r == nil {
			r = &dunelock.Recipe{}
		}
		sc := &shellCompiler{pkg: p, closure: closure(p.Name), versions: versions, dev: dev}
		bs := nameAttrs(p)
		if p.Source.Kind != lockfile.NoSource {
			src, err := addSource(p.ID, p.Source)
			if err != nil {
				return nil, err
			}
			bs = append(bs, nixexpr.Attr{Path: []string{"src"}, Value: src})
		}
		if len(r.Extra) > 0 {
			var extra []nixexpr.Binding
			for _, x := range r.Extra {
				src, err := addSource(p.ID+"/"+x.Path, x.Source)
				if err != nil {
					return nil, err
				}
				extra = append(extra, nixexpr.Attr{Path: []string{x.Path}, Value: src})
			}
			bs = append(bs, nixexpr.Attr{Path: []string{"extra"}, Value: nixexpr.AttrSet{Bindings: extra}})
		}
		if r.FilesDir != "" {
			needSrc = true
			bs = append(bs, nixexpr.Attr{Path: []string{"files"}, Value: nixexpr.Apply{Func: nixexpr.Ident{Name: "local"}, Args: []nixexpr.Expr{nixexpr.String{Value: r.FilesDir}}}})
		}
		var depList []nixexpr.Expr
		for _, d := range r.Depends {
			if d.Platforms == nil {
				depList = append(depList, nixexpr.String{Value: d.Name})
				continue
			}
			depList = append(depList, nixexpr.AttrSet{Bindings: []nixexpr.Binding{
				nixexpr.Attr{Path: []string{"name"}, Value: nixexpr.String{Value: d.Name}},
				nixexpr.Attr{Path: []string{"platforms"}, Value: platformsExpr(d.Platforms)},
			}})
		}
		if len(depList) > 0 {
			bs = append(bs, nixexpr.Attr{Path: []string{"deps"}, Value: nixexpr.List{Items: depList}})
		}
		for _, phase := range []struct {
			name     string
			branches []dunelock.Branch
		}{{"build", r.Build}, {"install", r.Install}} {
			if len(phase.branches) == 0 {
				continue
			}
			var items []nixexpr.Expr
			for _, br := range phase.branches {
				b := scriptBindings(sc, br.Action)
				if br.Platforms != nil {
					b = append([]nixexpr.Binding{nixexpr.Attr{Path: []string{"platforms"}, Value: platformsExpr(br.Platforms)}}, b...)
				}
				items = append(items, nixexpr.AttrSet{Bindings: b})
			}
			bs = append(bs, nixexpr.Attr{Path: []string{phase.name}, Value: nixexpr.List{Items: items}})
		}
		if r.UseDune {
			sc.b.Reset()
			bs = append(bs, nixexpr.Attr{Path: []string{"build"}, Value: nixexpr.List{Items: []nixexpr.Expr{nixexpr.AttrSet{Bindings: []nixexpr.Binding{
				nixexpr.Attr{Path: []string{"script"}, Value: nixexpr.String{Value: "dune_run dune build -p " + sq(p.Name) + "\n"}},
			}}}}})
		}
		if len(r.Env) > 0 {
			sc.b.Reset()
			for _, u := range r.Env {
				if err := sc.envUpdate(u, 0); err != nil {
					return nil, fmt.Errorf("nixexpr: %s: exported_env: %v", p.ID, err)
				}
			}
			bs = append(bs, nixexpr.Attr{Path: []string{"exportedEnv"}, Value: nixexpr.String{Value: sc.b.String()}})
		}
		if nixos := nixosDepexts(r.Depexts); len(nixos) > 0 {
			bs = append(bs, nixexpr.Attr{Path: []string{"depexts"}, Value: nixexpr.Strings(nixos)})
		}
		if r.Dev {
			bs = append(bs, nixexpr.Attr{Path: []string{"dev"}, Value: nixexpr.Bool{Value: true}})
		}
		if r.EnabledOn != nil {
			bs = append(bs, nixexpr.Attr{Path: []string{"enabledOn"}, Value: platformsExpr(r.EnabledOn)})
		}
		pkgs = append(pkgs, nixexpr.Attr{Path: []string{p.ID}, Value: nixexpr.AttrSet{Bindings: bs}})
	}

	formals := append([]nixexpr.Formal{{Name: "stdenv"}, {Name: "fetchurl"}, {Name: "opam-installer"}, {Name: "dune_3"}, {Name: "pkgs"}}, sources.Formals()...)
	formals = append(formals,
		nixexpr.Formal{Name: "ocaml", Default: nixexpr.Null{}},
		nixexpr.Formal{Name: "src", Default: nixexpr.Null{}},
	)
	if needSrc {
		formals = append(formals, nixexpr.Formal{Name: "localRoot", Default: nixexpr.Null{}})
	}
	formals = append(formals,
		nixexpr.Formal{Name: "overrides", Default: nixexpr.AttrSet{}},
		nixexpr.Formal{Name: "depexts", Default: nixexpr.AttrSet{}},
	)
	lets := []nixexpr.Binding{nixexpr.Attr{Path: []string{"sources"}, Value: nixexpr.AttrSet{Bindings: sources.Bindings()}}}
	if needSrc {
		lets = append(lets, nixexpr.LocalBindings(h.RootUp)...)
	}
	lets = append(lets,
		nixexpr.Attr{Path: []string{"packages"}, Value: nixexpr.AttrSet{Bindings: pkgs}},
		nixexpr.Attr{Path: []string{"root"}, Value: nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			nixexpr.Attr{Path: []string{"name"}, Value: nixexpr.String{Value: g.Root.Name}},
			nixexpr.Attr{Path: []string{"pname"}, Value: nixexpr.String{Value: nixexpr.DrvName(g.Root.Name, "project")}},
			nixexpr.Attr{Path: []string{"compiler"}, Value: nixexpr.String{Value: l.Compiler}},
			nixexpr.Attr{Path: []string{"compilerPackages"}, Value: nixexpr.Strings(compilerPackages)},
		}}},
		nixexpr.Attr{Path: []string{"builders"}, Value: nixexpr.Raw{Text: builders}},
	)
	body := nixexpr.Let{
		Bindings: lets,
		Body: nixexpr.Apply{Func: nixexpr.Ident{Name: "builders"}, Args: []nixexpr.Expr{nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			nixexpr.Inherit{Names: []string{"stdenv", "pkgs", "opam-installer", "dune_3", "ocaml", "src", "overrides", "depexts", "sources", "packages", "root"}},
		}}}},
	}
	return nixexpr.Generated(h, formals, body), nil
}

// platformsExpr writes platforms as [ { arch = "x86_64"; os = "linux"; } … ].
func platformsExpr(envs []dunelock.PlatformEnv) nixexpr.Expr {
	var items []nixexpr.Expr
	for _, env := range envs {
		var bs []nixexpr.Binding
		for _, kv := range env {
			bs = append(bs, nixexpr.Attr{Path: []string{kv.Var}, Value: nixexpr.String{Value: kv.Value}})
		}
		items = append(items, nixexpr.AttrSet{Bindings: bs})
	}
	return nixexpr.List{Items: items}
}

// nixosDepexts lists the system packages a lock names for NixOS: those
// whose condition holds on os_distribution = nixos, os_family = nixos, or
// that carry no condition.
func nixosDepexts(ds []dunelock.Depext) []string {
	var out []string
	for _, d := range ds {
		if d.Cond == nil || holdsOnNixOS(d.Cond) {
			for _, n := range d.Names {
				if !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// holdsOnNixOS evaluates the simple conditions depexts use, with the
// distribution and family set to nixos and everything else unknown
// (false).
func holdsOnNixOS(c *dunelock.Cond) bool {
	switch c.Op {
	case "true":
		return true
	case "and", "and_absorb_undefined_var":
		for _, a := range c.Args {
			if !holdsOnNixOS(a) {
				return false
			}
		}
		return true
	case "or", "or_absorb_undefined_var":
		for _, a := range c.Args {
			if holdsOnNixOS(a) {
				return true
			}
		}
		return false
	case "not":
		return !holdsOnNixOS(c.Args[0])
	case "=":
		v, lit := termVarLit(c.Terms[0], c.Terms[1])
		return (v == "os_distribution" || v == "os_family") && lit == "nixos"
	}
	return false
}

func termVarLit(a, b dunelock.Term) (string, string) {
	if len(a.Parts) == 1 && a.Parts[0].Var != "" && len(b.Parts) == 1 && b.Parts[0].Var == "" {
		return a.Parts[0].Var, b.Parts[0].Lit
	}
	if len(b.Parts) == 1 && b.Parts[0].Var != "" && len(a.Parts) == 1 && a.Parts[0].Var == "" {
		return b.Parts[0].Var, a.Parts[0].Lit
	}
	return "", ""
}

// scriptBindings compiles an action once for any platform and, when that
// script tests platform variables at build time, once for each system of
// hostPlatforms with those tests decided: the builders pick the host's, so
// conditions on the platform are resolved at evaluation time.
func scriptBindings(sc *shellCompiler, a *dunelock.Action) []nixexpr.Binding {
	sc.platform, sc.usesPlatform = nil, false
	generic := sc.script(a)
	bs := []nixexpr.Binding{nixexpr.Attr{Path: []string{"script"}, Value: nixexpr.String{Value: generic}}}
	if !sc.usesPlatform {
		return bs
	}
	var per []nixexpr.Binding
	for _, hp := range hostPlatforms {
		sc.platform = hp.vars
		per = append(per, nixexpr.Attr{Path: []string{hp.system}, Value: nixexpr.String{Value: sc.script(a)}})
	}
	sc.platform = nil
	return append(bs, nixexpr.Attr{Path: []string{"scripts"}, Value: nixexpr.AttrSet{Bindings: per}})
}

// nameAttrs are a package's name and version, with the derivation-safe
// forms only where those differ (store paths allow fewer characters).
func nameAttrs(p *lockfile.Package) []nixexpr.Binding {
	bs := []nixexpr.Binding{
		nixexpr.Attr{Path: []string{"name"}, Value: nixexpr.String{Value: p.Name}},
		nixexpr.Attr{Path: []string{"version"}, Value: nixexpr.String{Value: p.Version}},
	}
	if n := nixexpr.DrvName(p.Name, "package"); n != p.Name {
		bs = append(bs, nixexpr.Attr{Path: []string{"pname"}, Value: nixexpr.String{Value: n}})
	}
	if v := nixexpr.DrvName(p.Version, "0"); v != p.Version {
		bs = append(bs, nixexpr.Attr{Path: []string{"drvVersion"}, Value: nixexpr.String{Value: v}})
	}
	return bs
}
