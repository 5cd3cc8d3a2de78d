package pnpm

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/pnpmlock"
)

func parse(t *testing.T, lock string) *pnpmlock.Lock {
	t.Helper()
	l, err := pnpmlock.ParseFS(fstest.MapFS{pnpmlock.LockFile: {Data: []byte(lock)}}, pnpmlock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

const lockWith = `lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      ALIAS:
        specifier: 1.0.0
        version: 'NAME@1.0.0'
packages:
  'NAME@1.0.0':
    resolution: {integrity: sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==}
snapshots:
  'NAME@1.0.0': {}
`

func TestEmit(t *testing.T) {
	var out bytes.Buffer
	lock := parse(t, strings.NewReplacer("ALIAS", "a", "NAME", "@s/b").Replace(lockWith))
	if err := Emit(&out, lock, nixexpr.Header{Generator: "test", Input: "pnpm-lock.yaml", Command: "lock2nix pnpm"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"@s/b@1.0.0" = {`,
		`format = "pnpm";`,
		`url = "https://registry.npm.test/@s/b/-/b-1.0.0.tgz";`,
		`hash = "sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";`,
		`"@s+b@1.0.0": {`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the file lacks %s", want)
		}
	}
}

// TestHostileNames: an alias or a name that would lead out of
// node_modules, or name a folder the layout makes there (.bin, .pnpm:
// npm's names never start with a dot), stops the emitter.
func TestHostileNames(t *testing.T) {
	for _, c := range [][2]string{{"../x", "b"}, {"a", "../../x"}, {"@s/../x", "b"}, {"a/b", "b"}, {".bin", "b"}, {"a", ".pnpm"}, {"@s/.bin", "b"}} {
		lock := parse(t, strings.NewReplacer("ALIAS", "'"+c[0]+"'", "NAME", c[1]).Replace(lockWith))
		err := Emit(&bytes.Buffer{}, lock, nixexpr.Header{})
		var ne *nixexpr.Error
		if !errors.As(err, &ne) {
			t.Errorf("alias %q, name %q: want a *nixexpr.Error, got %v", c[0], c[1], err)
		}
	}
}

// TestEmitStandalone: the --standalone file holds the data and the
// builders, and calls entry.nix with them.
func TestEmitStandalone(t *testing.T) {
	var out bytes.Buffer
	lock := parse(t, strings.NewReplacer("ALIAS", "a", "NAME", "b").Replace(lockWith))
	if err := EmitStandalone(&out, lock, nixexpr.Header{Generator: "test", Input: "pnpm-lock.yaml", Command: "lock2nix pnpm --standalone"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`format = "pnpm";`, `name = "pnpm";`, `"lock2nix-${format.name}.js"`, "function hoist(plan, sel)", "entry code ("} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the file lacks %s", want)
		}
	}
}

// TestEmitNodeLinker: the data says nodeLinker "hoisted" under
// node-linker=hoisted, and nothing for the isolated layout (whose files
// stay as they were).
func TestEmitNodeLinker(t *testing.T) {
	text := strings.NewReplacer("ALIAS", "a", "NAME", "b").Replace(lockWith)
	for npmrc, want := range map[string]bool{"": false, "node-linker=isolated\n": false, "node-linker=hoisted\n": true} {
		fsys := fstest.MapFS{pnpmlock.LockFile: {Data: []byte(text)}}
		if npmrc != "" {
			fsys[".npmrc"] = &fstest.MapFile{Data: []byte(npmrc)}
		}
		lock, err := pnpmlock.ParseFS(fsys, pnpmlock.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := Emit(&out, lock, nixexpr.Header{}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), `"nodeLinker":"hoisted"`); got != want {
			t.Errorf(".npmrc %q: nodeLinker hoisted in the data: %v, want %v", npmrc, got, want)
		}
		if strings.Contains(out.String(), `"nodeLinker":"isolated"`) {
			t.Errorf(".npmrc %q: the isolated layout's data names its linker", npmrc)
		}
	}
}
