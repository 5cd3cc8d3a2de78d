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

var duneCommand = &command{
	name:   "dune",
	help:   duneHelp,
	defOut: func(dir string) string { return filepath.Join(dir, "dune-lock.nix") },
	setup: func(fs *pflag.FlagSet) generator {
		lockDir := fs.String("lock-dir", "dune.lock", "the lock directory, relative to DIR")
		return func(dir string, stderr io.Writer) ([]byte, error) {
			_ = lockDir
			return nil, errors.New("dune lock directories are not supported yet")
		}
	},
}
