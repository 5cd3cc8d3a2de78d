package dune

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
)

// opamVarNames are the variables of a package a substitute may read
// besides those of its .config file.
var opamVarNames = []string{"name", "version", "dev", "installed", "enable", "pinned",
	"lib", "libexec", "bin", "sbin", "toplevel", "share", "etc", "doc", "stublibs", "man"}

// opamGlobals are the variables without a package a substitute may read,
// by dune's names.
var opamGlobals = []string{"prefix", "build", "jobs", "make", "switch", "user", "group", "os", "arch",
	"os_family", "os_distribution", "os_version", "sys_ocaml_version",
	"lib", "libexec", "bin", "sbin", "toplevel", "share", "etc", "doc", "stublibs", "man"}

// opamVarsTable writes dune_opam_var as lock2nix wrote it into each
// script before helpers.sh held it: a case table of every variable's
// value, each from varExpr, the value the package's actions get. It is
// the reference helpers.sh's dune_opam_var is held to.
func (c *shellCompiler) opamVarsTable(indent int) {
	c.line(indent, "dune_opam_var() {")
	c.line(indent+1, `case "$1" in`)
	branch := func(pattern, body string) {
		c.line(indent+2, pattern+") "+body+" ;;")
	}
	value := func(v string) {
		// Variables read at build time from a .config file are
		// dune_config's below: undefined is "" here.
		saw, platform := c.runtime, c.usesPlatform
		if e, ok := c.varExpr(v); ok && !strings.Contains(e, "dune_var") {
			branch(shell.Quote(v), `printf %s "`+e+`"`)
		}
		c.runtime, c.usesPlatform = saw, platform
	}
	for _, v := range opamGlobals {
		value(v)
	}
	scopes := []string{c.pkg.Name}
	for n := range c.closure {
		scopes = append(scopes, n)
	}
	slices.Sort(scopes[1:])
	for i, n := range scopes {
		prefix := "pkg:" + n + ":"
		if i == 0 {
			prefix = "pkg-self:"
		}
		for _, v := range opamVarNames {
			value(prefix + v)
		}
		root := "$out"
		if i > 0 {
			root = "$" + depVar(n)
		}
		branch(shell.Quote(prefix)+"*", fmt.Sprintf(`dune_config %s "${1:%d}" %s`, shell.Quote(n), len(prefix), configDir(i == 0, root)))
		if i == 0 {
			// The package itself by its name.
			branch(shell.Quote("pkg:"+n+":")+"*", fmt.Sprintf(`dune_opam_var "pkg-self:${1:%d}"`, len("pkg:"+n+":")))
		}
	}
	branch("pkg:*:installed", "printf false")
	branch("*", "return 1")
	c.line(indent+1, "esac")
	c.line(indent, "}")
}

// TestOpamVarContract asks helpers.sh's dune_opam_var, over the packages
// a compiled substitute names (dune_opam_self, dune_opam_dep), for every
// variable a substitute may read, and compares each value and status with
// those of the case table of varExpr's values (opamVarsTable): the
// globals, each section, a package's own variables under pkg-self and
// its name, a dependency's, one outside the closure, .config variables
// (defined, undefined, no file), and names no table knows; generically
// and with a host's platform decided at generation.
func TestOpamVarContract(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	build := filepath.Join(dir, "build")
	for _, d := range []string{build, filepath.Join(dir, "dep", "b", "nix-support"), filepath.Join(dir, "dep", "ocaml", "nix-support")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for file, text := range map[string]string{
		filepath.Join(build, "a.config"):                          "variables {\n  own: \"mine\"\n}\n",
		filepath.Join(dir, "dep", "b", "nix-support", "b.config"): "variables {\n  foo: \"bar baz\"\n  native: true\n}\n",
	} {
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	self := &lockfile.Package{ID: "a.1", Name: "a", Version: "1.0~$x\"y"}
	vars := slices.Clone(opamGlobals)
	vars = append(vars, "build-id", "unknown", "pkg-self:a:b", "pkg:b:x:installed", "pkg:absent:enable", "pkg:", "pkg::installed")
	for _, scope := range []string{"pkg-self:", "pkg:a:", "pkg:b:", "pkg:ocaml:", "pkg:absent:"} {
		for _, v := range append(slices.Clone(opamVarNames), "own", "foo", "native", "nope", "build-id") {
			vars = append(vars, scope+v)
		}
	}
	var ask strings.Builder
	for _, v := range vars {
		ask.WriteString("v=$(dune_opam_var " + shell.Quote(v) + ") && rc=0 || rc=$?; printf '%s=%s %s\\n' " + shell.Quote(v) + " \"$v\" \"$rc\"\n")
	}
	for _, platform := range []map[string]string{nil, Hosts[0].Vars, Hosts[3].Vars} {
		c := &shellCompiler{pkg: self, closure: map[string]bool{"b": true, "ocaml": true},
			versions: map[string]string{"a": self.Version, "b": "2.1", "ocaml": "5.2.0"}, dev: map[string]bool{"a": true}, platform: platform}
		env := Hosts[0].Vars
		if platform != nil {
			env = platform
		}
		prelude := "out=/out dune_build=" + build + " NIX_BUILD_CORES=4 OPAM_PACKAGE_NAME=a OPAM_PACKAGE_VERSION=1\n" +
			"dune_os=" + env["os"] + " dune_arch=" + env["arch"] + " dune_os_family=" + env["os_family"] + " dune_os_distribution=" + env["os_distribution"] + "\n"
		for n := range c.closure {
			prelude += depVar(n) + "=" + filepath.Join(dir, "dep", n) + "\n"
		}
		run := func(script string) string {
			out, err := exec.Command("bash", "-c", prelude+script+ask.String()).CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			return string(out)
		}
		c.b.Reset()
		c.opamVarsTable(0)
		table := run(helpersSh + c.b.String())
		c.b.Reset()
		c.opamVars(0)
		helper := run(helpersSh + c.b.String())
		if diff := cmp.Diff(table, helper); diff != "" {
			t.Errorf("platform %v: values, the table (-) and helpers.sh (+):\n%s", platform, diff)
		}
		for _, want := range []string{"pkg:b:foo=bar baz 0", "pkg:b:version=2.1 0", "pkg:absent:installed=false 0", "pkg-self:own=mine 0", "pkg:a:version=1.0~$x\"y 0", "pkg:b:nope= 1"} {
			if !strings.Contains(helper, want+"\n") {
				t.Errorf("helpers.sh's values lack %q:\n%s", want, helper)
			}
		}
	}
}
