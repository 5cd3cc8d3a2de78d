package main

import (
	"errors"
	"io"
	"path/filepath"

	"github.com/spf13/pflag"
)

const duneHelp = `Usage: lock2nix dune [DIR] [flags]

Translate the dune lock directory DIR/dune.lock into one Nix file.

Examples:
  lock2nix dune
  lock2nix dune --check
`

var duneOpts struct {
	lockDir string
}

var duneCommand = &command{
	name: "dune",
	help: duneHelp,
	flags: func(fs *pflag.FlagSet) func() {
		fs.StringVar(&duneOpts.lockDir, "lock-dir", "dune.lock", "the lock directory, relative to DIR")
		return func() {}
	},
	defOut: func(dir string) string { return filepath.Join(dir, "dune-lock.nix") },
	generate: func(dir string, stderr io.Writer) ([]byte, string, error) {
		return nil, "", errors.New("dune lock directories are not supported yet")
	},
}
