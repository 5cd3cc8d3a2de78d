package dune

import (
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/nixexpr"
)

// TestHostOnlyErrors: a script that compiles generically may not on a
// host, where a platform variable is known (a variable name made of
// %{os} that is no shell name there): that host's error is reported,
// not dropped.
func TestHostOnlyErrors(t *testing.T) {
	l := parseLock(t, map[string]string{
		"a.pkg": `(version 1)
(build (setenv %{os}.x 1 (run make)))`,
	})
	_, err := Build(l, nixexpr.Header{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`dune.lock/a.pkg:2:8: environment variable name "linux.x" is not a valid shell name (on x86_64-linux)`,
		`is not a valid shell name (on aarch64-darwin)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
