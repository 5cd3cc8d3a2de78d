package dune

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/lockfile"
)

// shellCompiler turns a package's recipe actions into a bash script for
// the builders. Every text from the lockfile is single-quoted; variables
// become expansions of shell variables the builder sets (dune_os, …) or of
// the dependency paths it exports (dep_<name>).
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
	// sawUndefined records that a term used a variable known to be
	// undefined, for catch_undefined_var and has_undefined_var.
	sawUndefined bool
	// platform, when set, gives the values of os, arch, os_family and
	// os_distribution, so that conditions on them are decided here.
	platform map[string]string
	// usesPlatform records that the script tested a platform variable at
	// build time.
	usesPlatform bool
}

// hostPlatforms are the Nix systems scripts are specialised for, with the
// values dune's variables take there (the dune builders use the same).
var hostPlatforms = []struct {
	system string
	vars   map[string]string
}{
	{"aarch64-darwin", map[string]string{"arch": "arm64", "os": "macos", "os_family": "homebrew", "os_distribution": "homebrew"}},
	{"aarch64-linux", map[string]string{"arch": "arm64", "os": "linux", "os_family": "nixos", "os_distribution": "nixos"}},
	{"x86_64-darwin", map[string]string{"arch": "x86_64", "os": "macos", "os_family": "homebrew", "os_distribution": "homebrew"}},
	{"x86_64-linux", map[string]string{"arch": "x86_64", "os": "linux", "os_family": "nixos", "os_distribution": "nixos"}},
}

// static returns a term's value when it is known without running
// anything: literal text and, with a platform, the platform variables.
func (c *shellCompiler) static(t dunelock.Term) (string, bool) {
	if t.Op != "" {
		return "", false
	}
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Var == "" {
			b.WriteString(p.Lit)
			continue
		}
		saw := c.usesPlatform
		e, err := c.varExpr(p.Var)
		c.usesPlatform = saw
		if err != nil || strings.ContainsAny(e, "$`\"\\") {
			return "", false // known only when the script runs
		}
		b.WriteString(e)
	}
	return b.String(), true
}

// undefined marks a term whose value is known to be undefined.
type undefined struct{ v string }

func (u undefined) Error() string { return "undefined variable %{" + u.v + "}" }

// sq single-quotes s for bash.
func sq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// depVar names the shell variable that holds a dependency's store path;
// the dune builders compute the same name.
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

// varExpr returns a double-quotable shell expression for %{v}, or
// undefined.
func (c *shellCompiler) varExpr(v string) (string, error) {
	if s, ok := sections[v]; ok {
		return "$out/" + s.own, nil
	}
	switch v {
	case "prefix":
		return "$out", nil
	case "build":
		return "$dune_build", nil
	case "jobs":
		return "$NIX_BUILD_CORES", nil
	case "make":
		return "make", nil
	case "switch":
		return "dune", nil
	case "context_name":
		return "default", nil
	case "user", "group":
		return "nixbld", nil
	case "os", "arch", "os_family", "os_distribution", "os_version", "sys_ocaml_version":
		if val, ok := c.platform[v]; ok {
			return val, nil
		}
		if v != "os_version" && v != "sys_ocaml_version" {
			c.usesPlatform = true
		}
		return "$dune_" + v, nil
	}
	scope, rest, ok := strings.Cut(v, ":")
	if !ok {
		return "", undefined{v}
	}
	var pkg, name string
	switch scope {
	case "pkg-self":
		pkg, name = c.pkg.Name, rest
	case "pkg":
		pkg, name, ok = strings.Cut(rest, ":")
		if !ok {
			return "", undefined{v}
		}
	default:
		return "", undefined{v}
	}
	self := pkg == c.pkg.Name
	inClosure := self || c.closure[pkg]
	switch name {
	case "name":
		if inClosure {
			return pkg, nil
		}
	case "version":
		if inClosure {
			return c.versions[pkg], nil
		}
	case "dev":
		if inClosure {
			return fmt.Sprint(c.dev[pkg]), nil
		}
	case "installed":
		return fmt.Sprint(inClosure), nil
	case "enable":
		if inClosure {
			return "enable", nil
		}
		return "disable", nil
	case "pinned":
		return "false", nil
	}
	if !inClosure {
		return "", undefined{v}
	}
	root := "$out"
	if !self {
		root = "$" + depVar(pkg)
	}
	if s, ok := sections[name]; ok {
		if s.scoped {
			return root + "/" + s.own + "/" + pkg, nil
		}
		return root + "/" + s.own, nil
	}
	// Other variables come from the <name>.config file the package's
	// build left behind, known only at build time.
	dir := "$dune_build"
	if !self {
		dir = root + "/nix-support"
	}
	return fmt.Sprintf("$(dune_var %s %s %s)", sq(pkg), sq(name), dir), nil
}

// word compiles a term into a double-quoted shell word.
func (c *shellCompiler) word(t dunelock.Term) (string, error) {
	switch t.Op {
	case "":
		var b strings.Builder
		for _, p := range t.Parts {
			if p.Var == "" {
				b.WriteString(sq(p.Lit))
				continue
			}
			e, err := c.varExpr(p.Var)
			if _, undef := err.(undefined); undef {
				// dune fails only when the step runs: so does the script.
				c.sawUndefined = true
				e, err = "$(dune_undefined "+sq(p.Var)+")", nil
			}
			if err != nil {
				return "", err
			}
			b.WriteString(`"` + e + `"`)
		}
		if b.Len() == 0 {
			return "''", nil
		}
		return b.String(), nil
	case "concat":
		var b strings.Builder
		for _, a := range t.Args {
			w, err := c.word(a)
			if err != nil {
				return "", err
			}
			b.WriteString(w)
		}
		return b.String(), nil
	case "catch_undefined_var", "has_undefined_var":
		saw := c.sawUndefined
		c.sawUndefined = false
		w, err := c.word(t.Args[0])
		undef := c.sawUndefined
		c.sawUndefined = saw
		if err != nil {
			return "", err
		}
		if t.Op == "has_undefined_var" {
			return fmt.Sprint(undef), nil
		}
		if undef {
			return c.word(t.Args[1])
		}
		return w, nil
	case "if", "cond", "when":
		cond, err := c.cond(t.Cond)
		if err != nil {
			return "", err
		}
		switch t.Op {
		case "cond":
			return fmt.Sprintf(`"$(if %s; then echo true; else echo false; fi)"`, cond), nil
		case "when":
			// As a lone word; run's argv handles when as an optional
			// argument.
			w, err := c.word(t.Args[0])
			if err != nil {
				return "", err
			}
			return fmt.Sprintf(`"$(if %s; then printf %%s %s; fi)"`, cond, w), nil
		}
		a, err := c.word(t.Args[0])
		if err != nil {
			return "", err
		}
		b, err := c.word(t.Args[1])
		if err != nil {
			return "", err
		}
		return fmt.Sprintf(`"$(if %s; then printf %%s %s; else printf %%s %s; fi)"`, cond, a, b), nil
	}
	return "", fmt.Errorf("unknown term form %q", t.Op)
}

// cond compiles a condition into a shell test.
func (c *shellCompiler) cond(x *dunelock.Cond) (string, error) {
	switch x.Op {
	case "true":
		return "true", nil
	case "false":
		return "false", nil
	case "not":
		s, err := c.cond(x.Args[0])
		switch s {
		case "true":
			return "false", err
		case "false":
			return "true", err
		}
		return "! { " + s + "; }", err
	case "and", "or", "and_absorb_undefined_var", "or_absorb_undefined_var":
		join := " && "
		if strings.HasPrefix(x.Op, "or") {
			join = " || "
		}
		absorbing := strings.HasSuffix(x.Op, "_absorb_undefined_var")
		var parts []string
		for _, a := range x.Args {
			saw := c.sawUndefined
			c.sawUndefined = false
			s, err := c.cond(a)
			undef := c.sawUndefined
			c.sawUndefined = saw || (undef && !absorbing)
			if err != nil {
				return "", err
			}
			if undef && absorbing {
				// An undefined operand cannot decide the result; the
				// others do (dune errors only when none absorbs).
				continue
			}
			parts = append(parts, "{ "+s+"; }")
		}
		// Fold the operands decided here: and drops true and is false
		// with a false; or the other way round.
		isOr := strings.HasPrefix(x.Op, "or")
		unit, absorb := "{ true; }", "{ false; }"
		if isOr {
			unit, absorb = absorb, unit
		}
		var kept []string
		for _, p := range parts {
			switch p {
			case absorb:
				return strings.Trim(absorb, "{}; "), nil
			case unit:
			default:
				kept = append(kept, p)
			}
		}
		if len(kept) == 0 {
			return strings.Trim(unit, "{}; "), nil
		}
		return strings.Join(kept, join), nil
	case "term":
		if v, ok := c.static(x.Terms[0]); ok && (v == "true" || v == "false") {
			return v, nil
		}
		w, err := c.word(x.Terms[0])
		return fmt.Sprintf(`[ %s = true ]`, w), err
	}
	// dune compares expanded values as strings; known ones are compared
	// now.
	if sa, ok := c.static(x.Terms[0]); ok {
		if sb, ok := c.static(x.Terms[1]); ok {
			var holds bool
			switch x.Op {
			case "=":
				holds = sa == sb
			case "<>":
				holds = sa != sb
			case "<":
				holds = sa < sb
			case ">":
				holds = sa > sb
			case "<=":
				holds = sa <= sb
			case ">=":
				holds = sa >= sb
			}
			return fmt.Sprint(holds), nil
		}
	}
	a, err := c.word(x.Terms[0])
	if err != nil {
		return "", err
	}
	b, err := c.word(x.Terms[1])
	if err != nil {
		return "", err
	}
	switch x.Op {
	case "=":
		return fmt.Sprintf("[ %s = %s ]", a, b), nil
	case "<>":
		return fmt.Sprintf("[ %s != %s ]", a, b), nil
	case "<":
		return fmt.Sprintf("[[ %s < %s ]]", a, b), nil
	case ">":
		return fmt.Sprintf("[[ %s > %s ]]", a, b), nil
	case "<=":
		return fmt.Sprintf("! [[ %s > %s ]]", a, b), nil
	case ">=":
		return fmt.Sprintf("! [[ %s < %s ]]", a, b), nil
	}
	return "", fmt.Errorf("unknown condition %q", x.Op)
}

func (c *shellCompiler) line(indent int, s string) {
	c.b.WriteString(strings.Repeat("  ", indent) + s + "\n")
}

// action writes a into the script.
func (c *shellCompiler) action(a *dunelock.Action, indent int) error {
	switch a.Op {
	case "run":
		c.n++
		argv := fmt.Sprintf("argv%d", c.n)
		c.line(indent, argv+"=()")
		for _, t := range a.Args {
			if t.Op == "when" {
				cond, err := c.cond(t.Cond)
				if err != nil {
					return err
				}
				w, err := c.word(t.Args[0])
				if err != nil {
					return err
				}
				switch cond {
				case "false":
				case "true":
					c.line(indent, fmt.Sprintf("%s+=(%s)", argv, w))
				default:
					c.line(indent, fmt.Sprintf("if %s; then %s+=(%s); fi", cond, argv, w))
				}
				continue
			}
			w, err := c.word(t)
			if err != nil {
				return err
			}
			c.line(indent, fmt.Sprintf("%s+=(%s)", argv, w))
		}
		c.line(indent, fmt.Sprintf(`dune_run "${%s[@]}"`, argv))
	case "progn":
		for _, b := range a.Body {
			if err := c.action(b, indent); err != nil {
				return err
			}
		}
		if len(a.Body) == 0 {
			c.line(indent, "true")
		}
	case "when":
		cond, err := c.cond(a.Cond)
		if err != nil {
			return err
		}
		switch cond {
		case "false":
			return nil
		case "true":
			return c.action(a.Body[0], indent)
		}
		c.line(indent, "if "+cond+"; then")
		if err := c.action(a.Body[0], indent+1); err != nil {
			return err
		}
		c.line(indent, "fi")
	case "withenv", "chdir":
		c.line(indent, "(")
		if a.Op == "chdir" {
			w, err := c.word(a.Args[0])
			if err != nil {
				return err
			}
			c.line(indent+1, "cd "+w)
		}
		for _, u := range a.Env {
			if err := c.envUpdate(u, indent+1); err != nil {
				return err
			}
		}
		if err := c.action(a.Body[0], indent+1); err != nil {
			return err
		}
		c.line(indent, ")")
	case "system":
		w, err := c.word(a.Args[0])
		if err != nil {
			return err
		}
		c.line(indent, "sh -c "+w)
	case "patch":
		w, err := c.word(a.Args[0])
		if err != nil {
			return err
		}
		c.line(indent, "patch -p1 -i "+w)
	case "substitute":
		in, err := c.word(a.Args[0])
		if err != nil {
			return err
		}
		out, err := c.word(a.Args[1])
		if err != nil {
			return err
		}
		c.line(indent, fmt.Sprintf("dune_substitute %s %s %s %s", in, out, sq(c.pkg.Name), sq(c.pkg.Version)))
	case "write-file":
		p, err := c.word(a.Args[0])
		if err != nil {
			return err
		}
		text, err := c.word(a.Args[1])
		if err != nil {
			return err
		}
		c.line(indent, fmt.Sprintf("printf %%s %s > %s", text, p))
	default:
		return fmt.Errorf("cannot build the action %q", a.Op)
	}
	return nil
}

// envUpdate writes one dune environment update, with dune's meaning of
// each operator (the separator is ":").
func (c *shellCompiler) envUpdate(u dunelock.EnvUpdate, indent int) error {
	if !isShellName(u.Var) {
		return fmt.Errorf("environment variable name %q is not a valid shell name", u.Var)
	}
	w, err := c.word(u.Value)
	if err != nil {
		return err
	}
	v := u.Var
	var rhs string
	switch u.Op {
	case "=":
		rhs = w
	case "+=":
		rhs = fmt.Sprintf(`%s"${%s:+:$%s}"`, w, v, v)
	case ":=":
		rhs = fmt.Sprintf(`%s":$%s"`, w, v)
	case "=+":
		rhs = fmt.Sprintf(`"${%s:+$%s:}"%s`, v, v, w)
	case "=:":
		rhs = fmt.Sprintf(`"$%s:"%s`, v, w)
	default:
		return fmt.Errorf("cannot apply the environment operator %q", u.Op)
	}
	c.line(indent, fmt.Sprintf("export %s=%s", v, rhs))
	return nil
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

// script compiles one action, or reports why it cannot be built; the
// message then becomes the script's failure, so only building that
// package fails.
func (c *shellCompiler) script(a *dunelock.Action) string {
	c.b.Reset()
	c.n = 0
	if a == nil {
		return ""
	}
	if err := c.action(a, 0); err != nil {
		return fmt.Sprintf("echo %s >&2\nexit 1\n", sq("lock2nix: "+c.pkg.ID+": "+err.Error()))
	}
	return c.b.String()
}
