// Package yamlerr places the YAML library's syntax errors: the readers of
// pnpm-lock.yaml and berry's yarn.lock report them as lockfile.Errors at
// the line the library names ("yaml: line N: msg"), as they report
// everything else.
package yamlerr

import (
	"fmt"
	"strings"

	"github.com/lock2nix/lock2nix/lockfile"
)

// At turns the library's error into one in file: at its line when the
// library names one (column 1, as the library gives none), else in the
// file as a whole.
func At(file string, err error) *lockfile.Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
		_, rest, _ := strings.Cut(msg, ": ")
		return &lockfile.Error{File: file, Line: line, Col: 1, Msg: "invalid YAML: " + rest}
	}
	return &lockfile.Error{File: file, Msg: "invalid YAML: " + msg}
}
