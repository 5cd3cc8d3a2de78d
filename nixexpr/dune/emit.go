package dune

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
)

//go:embed builders.nix
var builders string

//go:embed helpers.sh
var helpersSh string

// helperBlocks are helpers.sh's blocks, by the name of the function each
// defines, in the file's order.
var helperBlocks = func() []helperBlock {
	var out []helperBlock
	const mark = "# lock2nix helper: "
	parts := strings.Split(helpersSh, "\n"+mark)
	for _, part := range parts[1:] {
		name, text, _ := strings.Cut(part, "\n")
		out = append(out, helperBlock{name, strings.TrimRight(text, "\n") + "\n"})
	}
	return out
}()

type helperBlock struct{ name, text string }

// usedHelpers returns the helper blocks the scripts call, and those these
// call, as Nix bindings.
func usedHelpers(scripts string) []nixexpr.Binding {
	used := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, h := range helperBlocks {
			if !used[h.name] && strings.Contains(scripts, h.name) {
				used[h.name] = true
				scripts += h.text
				changed = true
			}
		}
	}
	var bs []nixexpr.Binding
	for _, h := range helperBlocks {
		if used[h.name] {
			bs = append(bs, attr(h.name, nixexpr.String{Value: h.text}))
		}
	}
	return bs
}

// collectScripts writes the strings of bindings (scripts, by system or
// not) to w.
func collectScripts(w *strings.Builder, bs []nixexpr.Binding) {
	for _, b := range bs {
		a, ok := b.(nixexpr.Attr)
		if !ok {
			continue
		}
		switch v := a.Value.(type) {
		case nixexpr.String:
			w.WriteString(v.Value)
		case nixexpr.AttrSet:
			collectScripts(w, v.Bindings)
		case nixexpr.List:
			for _, it := range v.Items {
				if set, ok := it.(nixexpr.AttrSet); ok {
					collectScripts(w, set.Bindings)
				}
			}
		}
	}
}

// compilerPackages are the packages a compiler given as the "compiler"
// argument (or nixpkgs' ocaml, with useNixpkgsOCaml) replaces.
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

// Build returns the syntax tree Emit prints. An action or environment
// update lock2nix cannot build stops it with a *lockfile.Error at its
// place; every such place is reported, in the packages' order.
func Build(l *dunelock.Lock, h nixexpr.Header) (*nixexpr.File, error) {
	e := newEmitter(l)
	var pkgs []nixexpr.Binding
	var errs []error
	for _, p := range l.Graph.Packages {
		bs, err := e.pkg(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pkgs = append(pkgs, attr(p.ID, nixexpr.AttrSet{Bindings: bs}))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return nixexpr.Generated(h, e.formals(), e.body(pkgs, h.RootUp)), nil
}

// emitter holds what Build gathers while it writes the packages.
type emitter struct {
	lock    *dunelock.Lock
	sources *nixexpr.Sources
	// needSrc records that a package uses the project folder, so that the
	// file defines local.
	needSrc bool
	// generic is the lock on a platform it names no condition for; hosts
	// are the lock on each of Hosts, in that order.
	generic *view
	hosts   []*view
	// scripts gathers every compiled script, for the helpers they call.
	scripts strings.Builder
}

func newEmitter(l *dunelock.Lock) *emitter {
	e := &emitter{
		lock:    l,
		sources: nixexpr.NewSources(len(l.Graph.Packages)),
		generic: newView(l, nil),
	}
	for _, hp := range Hosts {
		e.hosts = append(e.hosts, newView(l, hp.Vars))
	}
	return e
}

func attr(name string, v nixexpr.Expr) nixexpr.Binding {
	return nixexpr.Attr{Path: []string{name}, Value: v}
}

// source returns the expression for a source: a fetcher in sources, or a
// path in the project folder.
func (e *emitter) source(name string, s lockfile.Source) (nixexpr.Expr, error) {
	switch s.Kind {
	case lockfile.Tarball, lockfile.Git:
		name, err := e.sources.Add(name, s)
		if err != nil {
			return nil, err
		}
		return nixexpr.Select{Expr: nixexpr.Ident{Name: "sources"}, Attrs: []string{name}}, nil
	case lockfile.Directory, lockfile.LocalTarball:
		return e.local(s.Path), nil
	}
	return nixexpr.Null{}, nil
}

// local is a path relative to the project folder.
func (e *emitter) local(path string) nixexpr.Expr {
	e.needSrc = true
	return nixexpr.Apply{Func: nixexpr.Ident{Name: "local"}, Args: []nixexpr.Expr{nixexpr.String{Value: path}}}
}

// pkg returns one package's attributes.
func (e *emitter) pkg(p *lockfile.Package) ([]nixexpr.Binding, error) {
	r := e.lock.Recipes[p.ID]
	if r == nil {
		r = &dunelock.Recipe{}
	}
	bs := nameAttrs(p)
	if p.Source.Kind != lockfile.NoSource {
		src, err := e.source(p.ID, p.Source)
		if err != nil {
			return nil, err
		}
		bs = append(bs, attr("src", src))
	}
	if len(r.Extra) > 0 {
		var extra []nixexpr.Binding
		for _, x := range r.Extra {
			src, err := e.source(p.ID+"/"+x.Path, x.Source)
			if err != nil {
				return nil, err
			}
			extra = append(extra, attr(x.Path, src))
		}
		bs = append(bs, attr("extra", nixexpr.AttrSet{Bindings: extra}))
	}
	if r.FilesDir != "" {
		bs = append(bs, attr("files", e.local(r.FilesDir)))
	}
	if deps := dependsExpr(r.Depends); deps != nil {
		bs = append(bs, attr("deps", deps))
	}
	scripts, err := e.compile(p, r)
	if err != nil {
		return nil, err
	}
	bs = append(bs, scripts...)
	if nixos := nixosDepexts(r.Depexts); len(nixos) > 0 {
		bs = append(bs, attr("depexts", nixexpr.Strings(nixos)))
	}
	if r.Dev {
		bs = append(bs, attr("dev", nixexpr.Bool{Value: true}))
	}
	if r.EnabledOn != nil {
		bs = append(bs, attr("enabledOn", platformsExpr(r.EnabledOn)))
	}
	return bs, nil
}

// dependsExpr lists dependencies: a name, or { name; platforms; } for one
// that applies on some platforms only; nil for none.
func dependsExpr(ds []dunelock.Depend) nixexpr.Expr {
	if len(ds) == 0 {
		return nil
	}
	var items []nixexpr.Expr
	for _, d := range ds {
		if d.Platforms == nil {
			items = append(items, nixexpr.String{Value: d.Name})
			continue
		}
		b := []nixexpr.Binding{
			attr("name", nixexpr.String{Value: d.Name}),
			attr("platforms", platformsExpr(d.Platforms)),
		}
		if d.Unless != nil {
			b = append(b, attr("unless", platformsExpr(d.Unless)))
		}
		items = append(items, nixexpr.AttrSet{Bindings: b})
	}
	return nixexpr.List{Items: items}
}

// compile compiles a package's build and install branches and its
// exported_env, each once for a platform the lock names no condition for
// and once for each system of Hosts that uses it (that builds this
// version and picks this branch), with that platform's dependency set,
// versions and platform variables decided: the builders pick the host's
// script where it differs. Every error is returned, at its place.
func (e *emitter) compile(p *lockfile.Package, r *dunelock.Recipe) ([]nixexpr.Binding, error) {
	generic := e.generic.compiler(p)
	var hosts []*shellCompiler
	for _, v := range e.hosts {
		if v.byName[p.Name] == p {
			hosts = append(hosts, v.compiler(p))
		} else {
			hosts = append(hosts, nil) // this version is not built there
		}
	}
	var bs []nixexpr.Binding
	var errs []error
	for _, phase := range []struct {
		name     string
		branches []dunelock.Branch
	}{{"build", r.Build}, {"install", r.Install}} {
		if len(phase.branches) == 0 {
			continue
		}
		var items []nixexpr.Expr
		for i, br := range phase.branches {
			b, err := branchBindings(generic, hosts, phase.branches, i)
			errs = append(errs, err)
			if br.Platforms != nil {
				b = append([]nixexpr.Binding{attr("platforms", platformsExpr(br.Platforms))}, b...)
			}
			items = append(items, nixexpr.AttrSet{Bindings: b})
		}
		bs = append(bs, attr(phase.name, nixexpr.List{Items: items}))
	}
	if len(r.Env) > 0 {
		env, err := generic.exportedEnv(r.Env)
		errs = append(errs, err)
		bs = append(bs, attr("exportedEnv", nixexpr.String{Value: env}))
		var per []nixexpr.Binding
		for i, sc := range hosts {
			if sc == nil {
				continue
			}
			s, herr := sc.exportedEnv(r.Env)
			if err == nil && herr != nil {
				// Known only on this host (a name made of %{os}):
				// the generic text had no error.
				errs = append(errs, onHost(herr, Hosts[i].System))
				continue
			}
			if s != env {
				per = append(per, attr(Hosts[i].System, nixexpr.String{Value: s}))
			}
		}
		if len(per) > 0 {
			bs = append(bs, attr("exportedEnvs", nixexpr.AttrSet{Bindings: per}))
		}
	}
	collectScripts(&e.scripts, bs)
	return bs, errors.Join(errs...)
}

// branchBindings compiles branch i of a build or install field: its
// generic script, and the script of each host that picks this branch (the
// first that matches, as dune and the builders take) where it differs.
func branchBindings(generic *shellCompiler, hosts []*shellCompiler, branches []dunelock.Branch, i int) ([]nixexpr.Binding, error) {
	s, per, err := branchScripts(generic, hosts, branches, i)
	if err != nil {
		return nil, err
	}
	bs := []nixexpr.Binding{attr("script", nixexpr.String{Value: s})}
	if len(per) > 0 {
		var ps []nixexpr.Binding
		for _, hp := range Hosts {
			if hs, ok := per[hp.System]; ok {
				ps = append(ps, attr(hp.System, nixexpr.String{Value: hs}))
			}
		}
		bs = append(bs, attr("scripts", nixexpr.AttrSet{Bindings: ps}))
	}
	return bs, nil
}

// branchScripts returns branchBindings' scripts: the generic one, and by
// system those that differ from it.
func branchScripts(generic *shellCompiler, hosts []*shellCompiler, branches []dunelock.Branch, i int) (string, map[string]string, error) {
	a := branches[i].Action
	s, err := generic.script(a)
	if err != nil {
		return "", nil, err
	}
	per := map[string]string{}
	var errs []error
	for h, sc := range hosts {
		if sc == nil || pick(branches, sc.platform) != i {
			continue
		}
		hs, err := sc.script(a)
		if err != nil {
			// Known only on this host (a name made of %{os}): the
			// generic script had no error.
			errs = append(errs, onHost(err, Hosts[h].System))
			continue
		}
		if hs != s {
			per[Hosts[h].System] = hs
		}
	}
	return s, per, errors.Join(errs...)
}

// onHost says that the errors of err arise on the system alone, keeping
// each at its place.
func onHost(err error, system string) error {
	var out []error
	for _, e := range unjoin(err) {
		var le *lockfile.Error
		if errors.As(e, &le) {
			c := *le
			c.Msg += " (on " + system + ")"
			out = append(out, &c)
			continue
		}
		out = append(out, fmt.Errorf("on %s: %w", system, e))
	}
	return errors.Join(out...)
}

// unjoin returns the errors errors.Join joined into err, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// pick returns the index of the first branch that applies on the platform
// env, or -1.
func pick(branches []dunelock.Branch, env map[string]string) int {
	return slices.IndexFunc(branches, func(b dunelock.Branch) bool { return b.Platforms == nil || matchesAny(b.Platforms, env) })
}

// formals are the generated function's arguments.
func (e *emitter) formals() []nixexpr.Formal {
	formals := append([]nixexpr.Formal{{Name: "stdenv"}, {Name: "fetchurl"}, {Name: "opam-installer"}, {Name: "dune_3"}, {Name: "pkgs"}}, e.sources.Formals()...)
	formals = append(formals,
		nixexpr.Formal{Name: "compiler", Default: nixexpr.Null{}},
		nixexpr.Formal{Name: "useNixpkgsOCaml", Default: nixexpr.Bool{Value: false}},
		nixexpr.Formal{Name: "src", Default: nixexpr.Null{}},
	)
	if e.needSrc {
		formals = append(formals, nixexpr.LocalFormals()...)
	}
	return append(formals,
		nixexpr.Formal{Name: "overrides", Default: nixexpr.AttrSet{}},
		nixexpr.Formal{Name: "depexts", Default: nixexpr.AttrSet{}},
	)
}

// body binds the sources, the packages, the project's root and the
// builders, and calls the builders with them.
func (e *emitter) body(pkgs []nixexpr.Binding, rootUp string) nixexpr.Expr {
	lets := []nixexpr.Binding{attr("sources", nixexpr.AttrSet{Bindings: e.sources.Bindings()})}
	if e.needSrc {
		lets = append(lets, nixexpr.LocalBindings(rootUp)...)
	}
	g := e.lock.Graph
	lets = append(lets,
		attr("packages", nixexpr.AttrSet{Bindings: pkgs}),
		attr("root", nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			attr("name", nixexpr.String{Value: g.Root.Name}),
			attr("pname", nixexpr.String{Value: nixexpr.DrvName(g.Root.Name, "project")}),
			attr("compiler", nixexpr.String{Value: e.lock.Compiler}),
			attr("compilerPackages", nixexpr.Strings(compilerPackages)),
		}}),
		attr("helpers", nixexpr.AttrSet{Bindings: usedHelpers(e.scripts.String())}),
		attr("builders", nixexpr.Raw{Text: builders}),
	)
	return nixexpr.Let{
		Bindings: lets,
		Body: nixexpr.Apply{Func: nixexpr.Ident{Name: "builders"}, Args: []nixexpr.Expr{nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			nixexpr.Inherit{Names: []string{"stdenv", "pkgs", "opam-installer", "dune_3", "compiler", "useNixpkgsOCaml", "src", "overrides", "depexts", "sources", "packages", "root", "helpers"}},
		}}}},
	}
}

// platformsExpr writes platforms as [ { arch = "x86_64"; os = "linux"; } … ].
func platformsExpr(envs []dunelock.PlatformEnv) nixexpr.Expr {
	var items []nixexpr.Expr
	for _, env := range envs {
		var bs []nixexpr.Binding
		for _, kv := range env {
			bs = append(bs, attr(kv.Var, nixexpr.String{Value: kv.Value}))
		}
		items = append(items, nixexpr.AttrSet{Bindings: bs})
	}
	return nixexpr.List{Items: items}
}

// nixosDepexts lists the system packages a lock names for NixOS: those
// without a condition, and those whose condition holds there.
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

// nixos are the values dune's platform variables take on NixOS, whatever
// the processor: those of the Linux host platforms but arch. A condition
// on any other variable does not hold.
var nixos = func() map[string]string {
	out := map[string]string{}
	for _, hp := range Hosts {
		if hp.System == "x86_64-linux" {
			for k, v := range hp.Vars {
				out[k] = v
			}
		}
	}
	delete(out, "arch")
	return out
}()

// holdsOnNixOS evaluates a depext's condition on NixOS.
func holdsOnNixOS(c *dunelock.Cond) bool {
	switch c.Op {
	case dunelock.CondTrue:
		return true
	case dunelock.CondAnd, dunelock.CondAndAbsorb:
		for _, a := range c.Args {
			if !holdsOnNixOS(a) {
				return false
			}
		}
		return true
	case dunelock.CondOr, dunelock.CondOrAbsorb:
		for _, a := range c.Args {
			if holdsOnNixOS(a) {
				return true
			}
		}
		return false
	case dunelock.CondNot:
		return !holdsOnNixOS(c.Args[0])
	case dunelock.CondEq, dunelock.CondNe, dunelock.CondLt, dunelock.CondLe, dunelock.CondGt, dunelock.CondGe:
		a, okA := nixosValue(c.Terms[0])
		b, okB := nixosValue(c.Terms[1])
		return okA && okB && compare(c.Op, strings.Compare(a, b))
	}
	return false
}

// nixosValue is a plain term's text on NixOS, when it is known.
func nixosValue(t dunelock.Term) (string, bool) {
	if t.Form != dunelock.TermText {
		return "", false
	}
	var b strings.Builder
	for _, p := range t.Parts {
		v, ok := p.Lit, true
		if p.Var != "" {
			v, ok = nixos[p.Var]
		}
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// nameAttrs are a package's name and version, with the derivation-safe
// forms only where those differ (store paths allow fewer characters).
func nameAttrs(p *lockfile.Package) []nixexpr.Binding {
	bs := []nixexpr.Binding{
		attr("name", nixexpr.String{Value: p.Name}),
		attr("version", nixexpr.String{Value: p.Version}),
	}
	if n := nixexpr.DrvName(p.Name, "package"); n != p.Name {
		bs = append(bs, attr("pname", nixexpr.String{Value: n}))
	}
	if v := nixexpr.DrvName(p.Version, "0"); v != p.Version {
		bs = append(bs, attr("drvVersion", nixexpr.String{Value: v}))
	}
	return bs
}
