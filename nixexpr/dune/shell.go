package dune

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
)

// shellCompiler turns a package's recipe actions into a bash script for
// the builders. Every text from the lockfile is single-quoted; variables
// become expansions of shell variables the builder sets (dune_os, …) or of
// the dependency paths it exports (dep_<name>).
//
// The compiler records the errors it meets (errs), each at the place of
// the action or update it stops on, and goes on, so that its helpers
// return text and callers check once, as nixexpr's printer does.
type shellCompiler struct {
	pkg *lockfile.Package
	// closure holds the names of the package's transitive dependencies.
	closure map[string]bool
	// versions of every package, for %{pkg:N:version}.
	versions map[string]string
	// dev packages, for %{pkg:N:dev}.
	dev map[string]bool
	b   strings.Builder
	n   int // for fresh variable names
	// at is the action being compiled, for errors, and kind its name,
	// for the messages of the scripts' helpers.
	at   lockfile.Pos
	kind dunelock.ActionKind
	errs []error
	// sawUndefined records that a term used a variable known to be
	// undefined, for catch_undefined_var and has_undefined_var.
	sawUndefined bool
	// platform, when set, gives the values of os, arch, os_family and
	// os_distribution, so that conditions on them are decided here.
	platform map[string]string
	// usesPlatform records that the script tested a platform variable at
	// build time.
	usesPlatform bool
	// runtime lists the tests (dune_config calls) of the .config variables
	// a term read, known only at build time, for catch_undefined_var.
	runtime []string
}

// fail records an error at the action being compiled.
func (c *shellCompiler) fail(format string, args ...any) {
	c.failAt(c.at, format, args...)
}

func (c *shellCompiler) failAt(p lockfile.Pos, format string, args ...any) {
	c.errs = append(c.errs, p.Errorf(format, args...))
}

// Host is a Nix system and the values dune's platform variables (arch,
// os, os_family, os_distribution) take there.
type Host struct {
	System string
	Vars   map[string]string
}

// Hosts are the Nix systems build scripts are specialised for, sorted by
// system; the dune builders compute the same values (a test evaluates
// them with Nix).
var Hosts = []Host{
	{"aarch64-darwin", map[string]string{"arch": "arm64", "os": "macos", "os_family": "homebrew", "os_distribution": "homebrew"}},
	{"aarch64-linux", map[string]string{"arch": "arm64", "os": "linux", "os_family": "nixos", "os_distribution": "nixos"}},
	{"x86_64-darwin", map[string]string{"arch": "x86_64", "os": "macos", "os_family": "homebrew", "os_distribution": "homebrew"}},
	{"x86_64-linux", map[string]string{"arch": "x86_64", "os": "linux", "os_family": "nixos", "os_distribution": "nixos"}},
}

// static returns a term's value when it is known without running
// anything: literal text and, with a platform, the platform variables.
func (c *shellCompiler) static(t dunelock.Term) (string, bool) {
	if t.Form != dunelock.TermText {
		return "", false
	}
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Var == "" {
			b.WriteString(p.Lit)
			continue
		}
		saw := c.usesPlatform
		e, ok := c.varExpr(p.Var)
		c.usesPlatform = saw
		if !ok || strings.ContainsAny(e, "$`\"\\") {
			return "", false // known only when the script runs
		}
		b.WriteString(e)
	}
	return b.String(), true
}

// depVar names the shell variable that holds a dependency's store path;
// the dune builders compute the same name (shellName in builders.nix).
func depVar(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "dep_" + hex.EncodeToString(sum[:])[:12]
}

var sections = map[string]struct {
	own    string // %{x}: under the package's prefix
	scoped bool   // %{pkg:N:x}: with /<name> appended
}{
	"lib": {"lib", true}, "libexec": {"lib", true}, "share": {"share", true}, "etc": {"etc", true},
	"doc": {"doc", true}, "bin": {"bin", false}, "sbin": {"sbin", false}, "toplevel": {"lib/toplevel", false},
	"stublibs": {"lib/stublibs", false}, "man": {"man", false},
}

// dq escapes lockfile text for a double-quoted shell word.
func dq(s string) string {
	return dqEscaper.Replace(s)
}

var dqEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")

// varExpr returns a double-quotable shell expression for %{v}, or false
// when v is undefined. Lockfile text in it (package names, versions) is
// escaped with dq.
func (c *shellCompiler) varExpr(v string) (string, bool) {
	if s, ok := sections[v]; ok {
		return "$out/" + s.own, true
	}
	switch v {
	case "prefix":
		return "$out", true
	case "build":
		return "$dune_build", true
	case "jobs":
		return "$NIX_BUILD_CORES", true
	case "make":
		return "make", true
	case "switch":
		return "dune", true
	case "context_name":
		return "default", true
	case "user", "group":
		return "nixbld", true
	case "os", "arch", "os_family", "os_distribution", "os_version", "sys_ocaml_version":
		if val, ok := c.platform[v]; ok {
			return val, true
		}
		if v != "os_version" && v != "sys_ocaml_version" {
			c.usesPlatform = true
		}
		return "$dune_" + v, true
	}
	scope, rest, ok := strings.Cut(v, ":")
	if !ok {
		return "", false
	}
	var pkg, name string
	switch scope {
	case "pkg-self":
		pkg, name = c.pkg.Name, rest
	case "pkg":
		if pkg, name, ok = strings.Cut(rest, ":"); !ok {
			return "", false
		}
	default:
		return "", false
	}
	self := pkg == c.pkg.Name
	inClosure := self || c.closure[pkg]
	switch name {
	case "name":
		if inClosure {
			return dq(pkg), true
		}
	case "version":
		if inClosure {
			return dq(c.versions[pkg]), true
		}
	case "dev":
		if inClosure {
			return fmt.Sprint(c.dev[pkg]), true
		}
	case "installed":
		return fmt.Sprint(inClosure), true
	case "enable":
		if inClosure {
			return "enable", true
		}
		return "disable", true
	case "pinned":
		return "false", true
	case "build-id":
		// dune gives every package this fixed value, which no opam
		// build-id takes (Pkg_rules.Action_expander).
		return buildID, true
	}
	if !inClosure {
		return "", false
	}
	root := "$out"
	if !self {
		root = "$" + depVar(pkg)
	}
	if s, ok := sections[name]; ok {
		if s.scoped {
			return root + "/" + s.own + "/" + dq(pkg), true
		}
		return root + "/" + s.own, true
	}
	// Other variables come from the <name>.config file the package's
	// build left behind, known only at build time.
	dir := configDir(self, root)
	c.runtime = append(c.runtime, fmt.Sprintf("dune_config %s %s %s", shell.Quote(pkg), shell.Quote(name), dir))
	return fmt.Sprintf("$(dune_var %s %s %s %s)", shell.Quote(pkg), shell.Quote(name), dir, shell.Quote(c.where())), true
}

// configDir is the folder that holds a package's .config file: the
// source folder for the package being built, else nix-support in the
// dependency's output, root.
func configDir(self bool, root string) string {
	if self {
		return "$dune_build"
	}
	return root + "/nix-support"
}

// where names the action being compiled in the scripts' messages:
// file:line:col and the action's name.
func (c *shellCompiler) where() string {
	if c.at.File == "" {
		return c.pkg.ID + " (exported_env)"
	}
	return fmt.Sprintf("%s:%d:%d (%s)", c.at.File, c.at.Line, c.at.Col, c.kind)
}

// buildID is dune's %{pkg:X:build-id}.
const buildID = "d00ed00ed00ed00ed00ed00ed00ed00e"

// word compiles a term into a double-quoted shell word.
func (c *shellCompiler) word(t dunelock.Term) string {
	switch t.Form {
	case dunelock.TermText:
		var b strings.Builder
		for _, p := range t.Parts {
			if p.Var == "" {
				b.WriteString(shell.Quote(p.Lit))
				continue
			}
			e, ok := c.varExpr(p.Var)
			if !ok {
				// dune fails only when the step runs: so does the script.
				c.sawUndefined = true
				e = "$(dune_undefined " + shell.Quote(p.Var) + " " + shell.Quote(c.where()) + ")"
			}
			b.WriteString(`"` + e + `"`)
		}
		if b.Len() == 0 {
			return "''"
		}
		return b.String()
	case dunelock.TermConcat:
		var b strings.Builder
		for _, a := range t.Args {
			b.WriteString(c.word(a))
		}
		return b.String()
	case dunelock.TermCatchUndefinedVar:
		w, undef, tests := c.tryWord(t.Args[0])
		if undef {
			return c.word(t.Args[1])
		}
		if len(tests) > 0 {
			// Defined or not is known when the script runs.
			return fmt.Sprintf(`"$(if %s; then printf %%s %s; else printf %%s %s; fi)"`, definedTest(tests), w, c.word(t.Args[1]))
		}
		return w
	case dunelock.TermHasUndefinedVar:
		_, undef, tests := c.tryWord(t.Args[0])
		if !undef && len(tests) > 0 {
			return fmt.Sprintf(`"$(if %s; then echo false; else echo true; fi)"`, definedTest(tests))
		}
		return fmt.Sprint(undef)
	case dunelock.TermCond:
		return fmt.Sprintf(`"$(if %s; then echo true; else echo false; fi)"`, c.cond(t.Cond))
	case dunelock.TermWhen:
		// As a lone word; run's argv handles when as an optional
		// argument.
		cond := c.cond(t.Cond)
		return fmt.Sprintf(`"$(if %s; then printf %%s %s; fi)"`, cond, c.word(t.Args[0]))
	case dunelock.TermIf:
		cond := c.cond(t.Cond)
		a, b := c.word(t.Args[0]), c.word(t.Args[1])
		return fmt.Sprintf(`"$(if %s; then printf %%s %s; else printf %%s %s; fi)"`, cond, a, b)
	}
	c.fail("cannot build the term form %v", t.Form)
	return "''"
}

// tryWord compiles t and reports whether it used an undefined variable,
// and the tests of the .config variables it read.
func (c *shellCompiler) tryWord(t dunelock.Term) (string, bool, []string) {
	saw, runtime := c.sawUndefined, c.runtime
	c.sawUndefined, c.runtime = false, nil
	w := c.word(t)
	undef, tests := c.sawUndefined, c.runtime
	c.sawUndefined, c.runtime = saw, append(runtime, tests...)
	return w, undef, tests
}

// definedTest is a shell test that holds when every .config variable of
// tests is defined.
func definedTest(tests []string) string {
	var parts []string
	for _, t := range tests {
		parts = append(parts, t+" > /dev/null")
	}
	return strings.Join(parts, " && ")
}

// cond compiles a condition into a shell test. Conditions decided here
// compile to true or false, which callers fold.
func (c *shellCompiler) cond(x *dunelock.Cond) string {
	switch x.Op {
	case dunelock.CondTrue:
		return "true"
	case dunelock.CondFalse:
		return "false"
	case dunelock.CondNot:
		switch s := c.cond(x.Args[0]); s {
		case "true":
			return "false"
		case "false":
			return "true"
		default:
			return "! { " + s + "; }"
		}
	case dunelock.CondAnd, dunelock.CondOr, dunelock.CondAndAbsorb, dunelock.CondOrAbsorb:
		return c.junction(x)
	case dunelock.CondTerm:
		if v, ok := c.static(x.Terms[0]); ok && (v == "true" || v == "false") {
			return v
		}
		return fmt.Sprintf(`[ %s = true ]`, c.word(x.Terms[0]))
	case dunelock.CondEq, dunelock.CondNe, dunelock.CondLt, dunelock.CondLe, dunelock.CondGt, dunelock.CondGe:
		return c.comparison(x)
	}
	c.fail("cannot build the condition %v", x.Op)
	return "false"
}

// junction compiles and, or and their absorbing forms.
func (c *shellCompiler) junction(x *dunelock.Cond) string {
	isOr := x.Op == dunelock.CondOr || x.Op == dunelock.CondOrAbsorb
	absorbing := x.Op == dunelock.CondAndAbsorb || x.Op == dunelock.CondOrAbsorb
	join := " && "
	if isOr {
		join = " || "
	}
	var parts []string
	for _, a := range x.Args {
		saw := c.sawUndefined
		c.sawUndefined = false
		s := c.cond(a)
		undef := c.sawUndefined
		c.sawUndefined = saw || (undef && !absorbing)
		if undef && absorbing {
			// An undefined operand cannot decide the result; the
			// others do (dune errors only when none absorbs).
			continue
		}
		parts = append(parts, "{ "+s+"; }")
	}
	// Fold the operands decided here: and drops true and is false
	// with a false; or the other way round.
	unit, absorb := "{ true; }", "{ false; }"
	if isOr {
		unit, absorb = absorb, unit
	}
	var kept []string
	for _, p := range parts {
		switch p {
		case absorb:
			return strings.Trim(absorb, "{}; ")
		case unit:
		default:
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return strings.Trim(unit, "{}; ")
	}
	return strings.Join(kept, join)
}

// comparison compiles = <> < <= > >=. dune compares expanded values as
// strings; known ones are compared now.
func (c *shellCompiler) comparison(x *dunelock.Cond) string {
	if sa, ok := c.static(x.Terms[0]); ok {
		if sb, ok := c.static(x.Terms[1]); ok {
			return fmt.Sprint(compare(x.Op, strings.Compare(sa, sb)))
		}
	}
	a, b := c.word(x.Terms[0]), c.word(x.Terms[1])
	switch x.Op {
	case dunelock.CondEq:
		return fmt.Sprintf("[ %s = %s ]", a, b)
	case dunelock.CondNe:
		return fmt.Sprintf("[ %s != %s ]", a, b)
	case dunelock.CondLt:
		return fmt.Sprintf("[[ %s < %s ]]", a, b)
	case dunelock.CondGt:
		return fmt.Sprintf("[[ %s > %s ]]", a, b)
	case dunelock.CondLe:
		return fmt.Sprintf("! [[ %s > %s ]]", a, b)
	default: // CondGe
		return fmt.Sprintf("! [[ %s < %s ]]", a, b)
	}
}

// compare tells whether a comparison holds, given the sign of a - b.
func compare(op dunelock.CondOp, sign int) bool {
	switch op {
	case dunelock.CondEq:
		return sign == 0
	case dunelock.CondNe:
		return sign != 0
	case dunelock.CondLt:
		return sign < 0
	case dunelock.CondLe:
		return sign <= 0
	case dunelock.CondGt:
		return sign > 0
	default: // CondGe
		return sign >= 0
	}
}

func (c *shellCompiler) line(indent int, s string) {
	c.b.WriteString(strings.Repeat("  ", indent) + s + "\n")
}

// duneBuildArgs are the arguments (dune) runs: dune build -p <name>.
var duneBuildArgs = []dunelock.Term{text("dune"), text("build"), text("-p"), {Parts: []dunelock.Part{{Var: "pkg-self:name"}}}}

func text(s string) dunelock.Term { return dunelock.Term{Parts: []dunelock.Part{{Lit: s}}} }

// redirections are the shell redirections of the actions that redirect
// the one they wrap; %s is the file's word.
var redirections = map[dunelock.ActionKind]string{
	dunelock.WithStdoutTo:  "> %s",
	dunelock.WithStderrTo:  "2> %s",
	dunelock.WithOutputsTo: "> %s 2>&1",
	dunelock.WithStdinFrom: "< %s",
	dunelock.IgnoreStdout:  "> /dev/null",
	dunelock.IgnoreStderr:  "2> /dev/null",
	dunelock.IgnoreOutputs: "> /dev/null 2>&1",
}

// stops are the actions lock2nix does not build, and why; README lists
// them.
var stops = map[dunelock.ActionKind]string{
	dunelock.CopyLineDirective: "its line directive names the file as dune's build directory does",
	dunelock.Cram:              "it needs dune's cram test runner",
	dunelock.FormatDuneFile:    "it needs dune's own formatter of dune files",
	dunelock.DynamicRun:        "it needs dune's action plugin protocol",
}

// action writes a into the script.
func (c *shellCompiler) action(a *dunelock.Action, indent int) {
	outer, outerKind := c.at, c.kind
	c.at, c.kind = a.Pos, a.Kind
	defer func() { c.at, c.kind = outer, outerKind }()
	switch a.Kind {
	case dunelock.Run, dunelock.Runexec:
		c.run(a.Args, indent)
	case dunelock.Dune:
		c.run(duneBuildArgs, indent)
	case dunelock.Progn, dunelock.Concurrent:
		// Concurrent actions may run in any order: this one.
		for _, b := range a.Body {
			c.action(b, indent)
		}
		if len(a.Body) == 0 {
			c.line(indent, "true")
		}
	case dunelock.NoInfer:
		c.action(a.Body[0], indent)
	case dunelock.When:
		switch cond := c.cond(a.Cond); cond {
		case "false":
		case "true":
			c.action(a.Body[0], indent)
		default:
			c.line(indent, "if "+cond+"; then")
			c.action(a.Body[0], indent+1)
			c.line(indent, "fi")
		}
	case dunelock.Withenv, dunelock.Chdir, dunelock.Setenv:
		c.line(indent, "(")
		switch a.Kind {
		case dunelock.Chdir:
			c.line(indent+1, "cd "+c.word(a.Args[0]))
		case dunelock.Setenv:
			c.setenv(a.Args[0], a.Args[1], indent+1)
		}
		for _, u := range a.Env {
			c.envUpdate(u, indent+1)
		}
		c.action(a.Body[0], indent+1)
		c.line(indent, ")")
	case dunelock.WithStdoutTo, dunelock.WithStderrTo, dunelock.WithOutputsTo, dunelock.WithStdinFrom,
		dunelock.IgnoreStdout, dunelock.IgnoreStderr, dunelock.IgnoreOutputs:
		redirect := redirections[a.Kind]
		if strings.Contains(redirect, "%s") {
			redirect = fmt.Sprintf(redirect, c.word(a.Args[0]))
		}
		c.line(indent, "{")
		c.action(a.Body[0], indent+1)
		c.line(indent, "} "+redirect)
	case dunelock.PipeStdout, dunelock.PipeStderr, dunelock.PipeOutputs:
		c.pipe(a, indent)
	case dunelock.WithAcceptedExitCodes:
		c.n++
		code := fmt.Sprintf("code%d", c.n)
		c.line(indent, code+"=0")
		c.line(indent, "{")
		c.action(a.Body[0], indent+1)
		c.line(indent, "} || "+code+"=$?")
		c.line(indent, fmt.Sprintf(`if ! { %s; }; then echo "lock2nix: exit code $%s is not accepted" >&2; exit 1; fi`, exitCodes(*a.Codes, code), code))
	case dunelock.System:
		c.line(indent, "sh -c "+c.word(a.Args[0]))
	case dunelock.Bash:
		c.line(indent, "bash -e -u -o pipefail -c "+c.word(a.Args[0]))
	case dunelock.Patch:
		c.line(indent, "patch -p1 -i "+c.word(a.Args[0]))
	case dunelock.Substitute:
		in, out := c.word(a.Args[0]), c.word(a.Args[1])
		c.opamVars(indent)
		c.line(indent, fmt.Sprintf("dune_substitute %s %s %s", in, out, shell.Quote(c.where())))
	case dunelock.WriteFile:
		p, text := c.word(a.Args[0]), c.word(a.Args[1])
		c.line(indent, fmt.Sprintf("printf %%s %s > %s", text, p))
	case dunelock.Echo:
		words := make([]string, len(a.Args))
		for i, t := range a.Args {
			words[i] = c.word(t)
		}
		c.line(indent, "printf %s "+strings.Join(words, "' '"))
	case dunelock.Cat:
		c.line(indent, "cat --"+c.words(a.Args))
	case dunelock.Copy:
		from, to := c.word(a.Args[0]), c.word(a.Args[1])
		c.line(indent, fmt.Sprintf(`mkdir -p -- "$(dirname -- %s)"`, to))
		c.line(indent, fmt.Sprintf("cp -- %s %s", from, to))
	case dunelock.Diff:
		c.line(indent, "diff -u --"+c.words(a.Args))
	case dunelock.DiffOptional:
		c.line(indent, fmt.Sprintf("if [ -e %s ]; then diff -u --%s; fi", c.word(a.Args[1]), c.words(a.Args)))
	case dunelock.Cmp:
		c.line(indent, "cmp --"+c.words(a.Args))
	default:
		if why, ok := stops[a.Kind]; ok {
			c.fail("lock2nix cannot build the action %s: %s", a.Kind, why)
			return
		}
		c.fail("cannot build the action %q", a.Kind)
	}
}

// opamVars writes what dune_substitute's variables are read from: the
// package (dune_opam_self) and each package of its dependency closure on
// this platform (dune_opam_dep), with the versions and dev flags there;
// helpers.sh's dune_opam_var gives each variable the value varExpr gives
// the package's actions (TestOpamVarContract).
func (c *shellCompiler) opamVars(indent int) {
	dev := func(n string) string { return fmt.Sprint(c.dev[n]) }
	c.line(indent, fmt.Sprintf("dune_opam_self %s %s %s", shell.Quote(c.pkg.Name), shell.Quote(c.versions[c.pkg.Name]), dev(c.pkg.Name)))
	for _, n := range slices.Sorted(maps.Keys(c.closure)) {
		c.line(indent, fmt.Sprintf(`dune_opam_dep %s %s %s "$%s"`, shell.Quote(n), shell.Quote(c.versions[n]), dev(n), depVar(n)))
	}
}

// words compiles terms into words, each after a space.
func (c *shellCompiler) words(ts []dunelock.Term) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(" " + c.word(t))
	}
	return b.String()
}

// setenv writes setenv's export; a name known now must be a shell name.
func (c *shellCompiler) setenv(name, value dunelock.Term, indent int) {
	if v, ok := c.static(name); ok {
		if !isShellName(v) {
			c.fail("environment variable name %q is not a valid shell name", v)
			return
		}
		c.line(indent, "export "+v+"="+c.word(value))
		return
	}
	c.line(indent, "export "+c.word(name)+"="+c.word(value))
}

// pipe writes a pipeline: each action's standard output (pipe-stdout),
// error (pipe-stderr) or both (pipe-outputs) feeds the next one's input.
// pipe-stderr sends each stage's standard output where the pipeline's
// goes, through file descriptor 4.
func (c *shellCompiler) pipe(a *dunelock.Action, indent int) {
	stage := map[dunelock.ActionKind]string{dunelock.PipeStdout: "", dunelock.PipeStderr: " 2>&1 1>&4", dunelock.PipeOutputs: " 2>&1"}[a.Kind]
	in := indent
	if a.Kind == dunelock.PipeStderr {
		c.line(indent, "{")
		in++
	}
	for i, b := range a.Body {
		if i == 0 {
			c.line(in, "{")
		}
		c.action(b, in+1)
		if i == len(a.Body)-1 {
			c.line(in, "}")
		} else {
			c.line(in, "}"+stage+" | {")
		}
	}
	if a.Kind == dunelock.PipeStderr {
		c.line(indent, "} 4>&1")
	}
}

// exitCodes compiles with-accepted-exit-codes' predicate into a test of
// the shell variable v.
func exitCodes(p dunelock.ExitCodes, v string) string {
	var parts []string
	for _, a := range p.Args {
		parts = append(parts, "{ "+exitCodes(a, v)+"; }")
	}
	switch p.Op {
	case dunelock.CondAnd:
		if len(parts) == 0 {
			return "true"
		}
		return strings.Join(parts, " && ")
	case dunelock.CondOr, dunelock.CondNot:
		or := "false"
		if len(parts) > 0 {
			or = strings.Join(parts, " || ")
		}
		if p.Op == dunelock.CondNot {
			return "! { " + or + "; }"
		}
		return or
	}
	return fmt.Sprintf(`[ "$%s" = %d ]`, v, p.Code)
}

// run writes a run action: its argv built up in an array, then run.
func (c *shellCompiler) run(args []dunelock.Term, indent int) {
	c.n++
	argv := fmt.Sprintf("argv%d", c.n)
	c.line(indent, argv+"=()")
	for _, t := range args {
		if t.Form != dunelock.TermWhen {
			c.line(indent, fmt.Sprintf("%s+=(%s)", argv, c.word(t)))
			continue
		}
		cond := c.cond(t.Cond)
		w := c.word(t.Args[0])
		switch cond {
		case "false":
		case "true":
			c.line(indent, fmt.Sprintf("%s+=(%s)", argv, w))
		default:
			c.line(indent, fmt.Sprintf("if %s; then %s+=(%s); fi", cond, argv, w))
		}
	}
	c.line(indent, fmt.Sprintf(`dune_run "${%s[@]}"`, argv))
}

// envUpdate writes one dune environment update, with dune's meaning of
// each operator (the separator is ":").
func (c *shellCompiler) envUpdate(u dunelock.EnvUpdate, indent int) {
	if !isShellName(u.Var) {
		c.failAt(u.Pos, "environment variable name %q is not a valid shell name", u.Var)
		return
	}
	w := c.word(u.Value)
	v := u.Var
	var rhs string
	switch u.Op {
	case dunelock.EnvEq:
		rhs = w
	case dunelock.EnvPlusEq:
		rhs = fmt.Sprintf(`%s"${%s:+:$%s}"`, w, v, v)
	case dunelock.EnvColonEq:
		rhs = fmt.Sprintf(`%s":$%s"`, w, v)
	case dunelock.EnvEqPlus:
		rhs = fmt.Sprintf(`"${%s:+$%s:}"%s`, v, v, w)
	case dunelock.EnvEqColon:
		rhs = fmt.Sprintf(`"$%s:"%s`, v, w)
	case dunelock.EnvEqPlusEq:
		// dune decodes =+= but stops with an internal error (assert false
		// in Pkg_rules.Env_update.set) when it applies it.
		c.failAt(u.Pos, "lock2nix cannot apply (=+= %s …): dune reads =+= but cannot apply it either; use = += =+ := or =:", u.Var)
		return
	default:
		c.failAt(u.Pos, "cannot apply the environment operator %q", u.Op)
		return
	}
	c.line(indent, fmt.Sprintf("export %s=%s", v, rhs))
}

// isShellName reports whether s is a valid shell variable name.
func isShellName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range []byte(s) {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// script compiles one action, or returns the errors that stop it.
func (c *shellCompiler) script(a *dunelock.Action) (string, error) {
	c.b.Reset()
	c.n, c.errs = 0, nil
	if a == nil {
		return "", nil
	}
	c.action(a, 0)
	return c.b.String(), errors.Join(c.errs...)
}

// exportedEnv compiles a package's exported_env into the lines the
// builders run for each package that depends on it.
func (c *shellCompiler) exportedEnv(env []dunelock.EnvUpdate) (string, error) {
	c.b.Reset()
	c.errs = nil
	for _, u := range env {
		c.envUpdate(u, 0)
	}
	return c.b.String(), errors.Join(c.errs...)
}
