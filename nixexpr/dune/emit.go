// Package dune writes the Nix for a lock read from a dune lock directory:
// by default a data file (Schema: the sources, one record per package with
// its locked build and install actions compiled to bash, the root) that
// lock2nix's builders (entry.nix, builders.nix, helpers.sh) read; with
// EmitStandalone, one file that holds the builders too.
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

// Schema is the version of the data file's layout that Emit writes.
// entry.nix lists the schemas the builders read; a change to what a data
// file holds or means takes a new one. The scripts' calls into the
// builders (helpers.sh's functions, dune_run, the dep_ variables and
// dune_os and friends) are part of it.
const Schema = 1

//go:embed builders.nix
var builders string

//go:embed helpers.sh
var helpersSh string

//go:embed entry.nix
var entry string

// Emit writes the lock as a data file for lock2nix's dune builders: the
// schema, a source per distinct archive or commit (sources and extra
// sources), each package's record with its recipe compiled to shell, and
// the root. Nothing is written on an error.
func Emit(w io.Writer, l *dunelock.Lock, h nixexpr.Header) error {
	f, err := Build(l, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

// EmitStandalone writes the lock as one file in callPackage style that
// holds the data and lock2nix's dune builders, as lock2nix wrote before
// data files.
func EmitStandalone(w io.Writer, l *dunelock.Lock, h nixexpr.Header) error {
	f, err := BuildStandalone(l, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

// Build returns the syntax tree Emit prints. An action or environment
// update lock2nix cannot build stops it with a *lockfile.Error at its
// place; every such place is reported, in the packages' order.
func Build(l *dunelock.Lock, h nixexpr.Header) (*nixexpr.File, error) {
	d, err := data(l, h)
	if err != nil {
		return nil, err
	}
	return nixexpr.Data(h, "dune", Schema, d), nil
}

// BuildStandalone returns the syntax tree EmitStandalone prints: the
// entry's arguments, and a body that calls entry.nix with the data and
// lock2nix's parts written out.
func BuildStandalone(l *dunelock.Lock, h nixexpr.Header) (*nixexpr.File, error) {
	d, err := data(l, h)
	if err != nil {
		return nil, err
	}
	null := nixexpr.Null{}
	formals := []nixexpr.Formal{
		{Name: "stdenv"}, {Name: "fetchurl"}, {Name: "opam-installer"}, {Name: "dune_3"}, {Name: "pkgs"},
		{Name: "compiler", Default: null}, {Name: "useNixpkgsOCaml", Default: nixexpr.Bool{Value: false}},
		{Name: "src", Default: null}, {Name: "localRoot", Default: null}, {Name: "localPaths", Default: nixexpr.AttrSet{}},
		{Name: "overrides", Default: nixexpr.AttrSet{}}, {Name: "depexts", Default: nixexpr.AttrSet{}},
	}
	code := nixexpr.AttrSet{Bindings: []nixexpr.Binding{
		attr("sources", nixexpr.Raw{Text: nixexpr.SourcesNix}),
		attr("local", nixexpr.Raw{Text: nixexpr.LocalNix}),
		attr("schema", nixexpr.Raw{Text: nixexpr.SchemaNix}),
		attr("dune", nixexpr.Raw{Text: builders}),
		attr("text", nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			attr("duneHelpers", nixexpr.Verbatim(helpersSh)),
		}}),
	}}
	return nixexpr.Standalone(h, formals, nixexpr.Data(h, "dune", Schema, d), code, entry), nil
}

// data returns the data file's bindings after format and schema:
// sources, packages, root, and rootUp when some package reads a path of
// the project. Every error is returned, in the packages' order.
func data(l *dunelock.Lock, h nixexpr.Header) ([]nixexpr.Binding, error) {
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
	g := l.Graph
	bs := []nixexpr.Binding{
		attr("sources", e.sources.Data()),
		nixexpr.Attr{Path: []string{"packages"}, Value: nixexpr.AttrSet{Bindings: pkgs}, Comment: packagesComment},
		attr("root", nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			attr("name", nixexpr.String{Value: g.Root.Name}),
			attr("pname", nixexpr.String{Value: nixexpr.DrvName(g.Root.Name, "project")}),
			attr("compiler", nixexpr.String{Value: l.Compiler}),
		}}),
	}
	if e.needSrc {
		bs = append(bs, nixexpr.Attr{Path: []string{"rootUp"}, Value: nixexpr.String{Value: h.RootUp},
			Comment: "The way from src up to the folder local paths must stay inside."})
	}
	return bs, nil
}

// packagesComment explains the package records to a reader of the file.
const packagesComment = `The packages by ID. src, extra and files name a source above or
a path of the project; deps, enabledOn and platforms are the lock's
conditions; each build and install branch holds its actions compiled to
bash: script, and scripts by system where that system's dependencies or
platform variables make them differ.`

// emitter holds what Build gathers while it writes the packages.
type emitter struct {
	lock    *dunelock.Lock
	sources *nixexpr.Sources
	// needSrc records that a package reads a path of the project, so
	// that the file holds rootUp.
	needSrc bool
	// generic is the lock on a platform it names no condition for; hosts
	// are the lock on each of Hosts, in that order.
	generic *view
	hosts   []*view
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

// ref binds key to a source's reference, one line in the file:
// key.source = NAME; for a fetch in sources, key.path = PATH; for a path
// of the project.
func (e *emitter) ref(key, name string, s lockfile.Source) (nixexpr.Binding, error) {
	switch s.Kind {
	case lockfile.Tarball, lockfile.Git:
		name, err := e.sources.Add(name, s)
		if err != nil {
			return nil, err
		}
		return nixexpr.Attr{Path: []string{key, "source"}, Value: nixexpr.String{Value: name}}, nil
	case lockfile.Directory, lockfile.LocalTarball:
		return e.local(key, s.Path), nil
	}
	return attr(key, nixexpr.Null{}), nil
}

// local binds key to a path relative to the project folder.
func (e *emitter) local(key, path string) nixexpr.Binding {
	e.needSrc = true
	return nixexpr.Attr{Path: []string{key, "path"}, Value: nixexpr.String{Value: path}}
}

// pkg returns one package's attributes.
func (e *emitter) pkg(p *lockfile.Package) ([]nixexpr.Binding, error) {
	r := e.lock.Recipes[p.ID]
	if r == nil {
		r = &dunelock.Recipe{}
	}
	bs := nameAttrs(p)
	if p.Source.Kind != lockfile.NoSource {
		src, err := e.ref("src", p.ID, p.Source)
		if err != nil {
			return nil, err
		}
		bs = append(bs, src)
	}
	if len(r.Extra) > 0 {
		var extra []nixexpr.Binding
		for _, x := range r.Extra {
			src, err := e.ref(x.Path, p.ID+"/"+x.Path, x.Source)
			if err != nil {
				return nil, err
			}
			extra = append(extra, src)
		}
		bs = append(bs, attr("extra", nixexpr.AttrSet{Bindings: extra}))
	}
	if r.FilesDir != "" {
		bs = append(bs, e.local("files", r.FilesDir))
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
