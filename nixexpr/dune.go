package nixexpr

import (
	_ "embed"
	"fmt"
	"slices"

	"github.com/lock2nix/lock2nix/lockfile"
)

//go:embed builders/dune.nix
var duneBuilders string

// compilerPackages are the packages a nixpkgs ocaml given as the "ocaml"
// argument replaces.
var compilerPackages = []string{"ocaml", "ocaml-base-compiler", "ocaml-compiler", "ocaml-variants", "ocaml-system"}

// duneFile builds the file for a graph read from a dune lock directory:
// fetchers for sources and extra sources, each package's recipe compiled
// to shell, and the dune builders.
func (e *emitter) duneFile(opts EmitOptions) (*File, error) {
	versions := map[string]string{}
	dev := map[string]bool{}
	deps := map[string][]string{}
	for _, p := range e.g.Packages {
		versions[p.Name] = p.Version
		dev[p.Name] = p.Recipe != nil && p.Recipe.Dev
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

	var sources []Binding
	addSource := func(name string, s lockfile.Source) (Expr, error) {
		switch s.Kind {
		case lockfile.Tarball, lockfile.Git:
			if _, ok := e.srcName[keyOf(s)]; !ok {
				e.srcName[keyOf(s)] = name
				f, err := e.fetcher(&lockfile.Package{ID: name, Source: s})
				if err != nil {
					return nil, err
				}
				sources = append(sources, Attr{Path: []string{name}, Value: f})
			}
			return Select{Expr: Ident{"sources"}, Attrs: []string{e.srcName[keyOf(s)]}}, nil
		case lockfile.Directory, lockfile.LocalTarball:
			e.needSrc = true
			return Apply{Func: Ident{"local"}, Args: []Expr{String{s.Path}}}, nil
		}
		return Null{}, nil
	}

	var pkgs []Binding
	for _, p := range e.g.Packages {
		r := p.Recipe
		if r == nil {
			r = &lockfile.Recipe{}
		}
		sc := &shellCompiler{pkg: p, closure: closure(p.Name), versions: versions, dev: dev}
		bs := nameAttrs(p)
		if p.Source.Kind != lockfile.NoSource {
			src, err := addSource(p.ID, p.Source)
			if err != nil {
				return nil, err
			}
			bs = append(bs, Attr{Path: []string{"src"}, Value: src})
		}
		if len(r.Extra) > 0 {
			var extra []Binding
			for _, x := range r.Extra {
				src, err := addSource(p.ID+"/"+x.Path, x.Source)
				if err != nil {
					return nil, err
				}
				extra = append(extra, Attr{Path: []string{x.Path}, Value: src})
			}
			bs = append(bs, Attr{Path: []string{"extra"}, Value: AttrSet{Bindings: extra}})
		}
		if r.FilesDir != "" {
			e.needSrc = true
			bs = append(bs, Attr{Path: []string{"files"}, Value: Apply{Func: Ident{"local"}, Args: []Expr{String{r.FilesDir}}}})
		}
		var depList []Expr
		for _, d := range p.Deps {
			if d.Platforms == nil {
				depList = append(depList, String{d.Name})
				continue
			}
			depList = append(depList, AttrSet{Bindings: []Binding{
				Attr{Path: []string{"name"}, Value: String{d.Name}},
				Attr{Path: []string{"platforms"}, Value: platformsExpr(d.Platforms)},
			}})
		}
		if len(depList) > 0 {
			bs = append(bs, Attr{Path: []string{"deps"}, Value: List{Items: depList}})
		}
		for _, phase := range []struct {
			name     string
			branches []lockfile.Branch
		}{{"build", r.Build}, {"install", r.Install}} {
			if len(phase.branches) == 0 {
				continue
			}
			var items []Expr
			for _, br := range phase.branches {
				b := scriptBindings(sc, br.Action)
				if br.Platforms != nil {
					b = append([]Binding{Attr{Path: []string{"platforms"}, Value: platformsExpr(br.Platforms)}}, b...)
				}
				items = append(items, AttrSet{Bindings: b})
			}
			bs = append(bs, Attr{Path: []string{phase.name}, Value: List{Items: items}})
		}
		if r.UseDune {
			sc.b.Reset()
			bs = append(bs, Attr{Path: []string{"build"}, Value: List{Items: []Expr{AttrSet{Bindings: []Binding{
				Attr{Path: []string{"script"}, Value: String{"dune_run dune build -p " + sq(p.Name) + "\n"}},
			}}}}})
		}
		if len(r.Env) > 0 {
			sc.b.Reset()
			for _, u := range r.Env {
				if err := sc.envUpdate(u, 0); err != nil {
					return nil, fmt.Errorf("nixexpr: %s: exported_env: %v", p.ID, err)
				}
			}
			bs = append(bs, Attr{Path: []string{"exportedEnv"}, Value: String{sc.b.String()}})
		}
		if nixos := nixosDepexts(r.Depexts); len(nixos) > 0 {
			bs = append(bs, Attr{Path: []string{"depexts"}, Value: strList(nixos)})
		}
		if r.Dev {
			bs = append(bs, Attr{Path: []string{"dev"}, Value: Bool{true}})
		}
		if r.EnabledOn != nil {
			bs = append(bs, Attr{Path: []string{"enabledOn"}, Value: platformsExpr(r.EnabledOn)})
		}
		pkgs = append(pkgs, Attr{Path: []string{p.ID}, Value: AttrSet{Bindings: bs}})
	}

	formals := append([]Formal{{Name: "stdenv"}, {Name: "fetchurl"}, {Name: "opam-installer"}, {Name: "dune_3"}, {Name: "pkgs"}}, e.fetcherFormals()...)
	formals = append(formals,
		Formal{Name: "ocaml", Default: Null{}},
		Formal{Name: "src", Default: Null{}},
		Formal{Name: "overrides", Default: AttrSet{}},
		Formal{Name: "depexts", Default: AttrSet{}},
	)
	lets := []Binding{Attr{Path: []string{"sources"}, Value: AttrSet{Bindings: sources}}}
	if e.needSrc {
		lets = append(lets, Attr{Path: []string{"local"}, Value: Raw{Text: localFn}})
	}
	lets = append(lets,
		Attr{Path: []string{"packages"}, Value: AttrSet{Bindings: pkgs}},
		Attr{Path: []string{"root"}, Value: AttrSet{Bindings: []Binding{
			Attr{Path: []string{"name"}, Value: String{e.g.Root.Name}},
			Attr{Path: []string{"pname"}, Value: String{DrvName(e.g.Root.Name, "project")}},
			Attr{Path: []string{"compiler"}, Value: String{e.g.Root.Compiler}},
			Attr{Path: []string{"compilerPackages"}, Value: strList(compilerPackages)},
		}}},
		Attr{Path: []string{"builders"}, Value: Raw{Text: duneBuilders}},
	)
	body := Let{
		Bindings: lets,
		Body: Apply{Func: Ident{"builders"}, Args: []Expr{AttrSet{Bindings: []Binding{
			Inherit{Names: []string{"stdenv", "pkgs", "opam-installer", "dune_3", "ocaml", "src", "overrides", "depexts", "sources", "packages", "root"}},
		}}}},
	}
	return generated(opts, formals, body), nil
}

// platformsExpr writes platforms as [ { arch = "x86_64"; os = "linux"; } … ].
func platformsExpr(envs []lockfile.PlatformEnv) Expr {
	var items []Expr
	for _, env := range envs {
		var bs []Binding
		for _, kv := range env {
			bs = append(bs, Attr{Path: []string{kv.Var}, Value: String{kv.Value}})
		}
		items = append(items, AttrSet{Bindings: bs})
	}
	return List{Items: items}
}

// nixosDepexts lists the system packages a lock names for NixOS: those
// whose condition holds on os_distribution = nixos, os_family = nixos, or
// that carry no condition.
func nixosDepexts(ds []lockfile.Depext) []string {
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
func holdsOnNixOS(c *lockfile.Cond) bool {
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

func termVarLit(a, b lockfile.Term) (string, string) {
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
func scriptBindings(sc *shellCompiler, a *lockfile.Action) []Binding {
	sc.platform, sc.usesPlatform = nil, false
	generic := sc.script(a)
	bs := []Binding{Attr{Path: []string{"script"}, Value: String{generic}}}
	if !sc.usesPlatform {
		return bs
	}
	var per []Binding
	for _, hp := range hostPlatforms {
		sc.platform = hp.vars
		per = append(per, Attr{Path: []string{hp.system}, Value: String{sc.script(a)}})
	}
	sc.platform = nil
	return append(bs, Attr{Path: []string{"scripts"}, Value: AttrSet{Bindings: per}})
}
