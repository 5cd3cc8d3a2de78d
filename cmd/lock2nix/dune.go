package main

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/dune"
	"github.com/lock2nix/lock2nix/report"
	"github.com/spf13/pflag"
)

const duneHelp = `Usage: lock2nix dune [DIR] [flags]

Translate the dune lock directory DIR/dune.lock (lock.dune and one .pkg
file per package) into one Nix file that pkgs.callPackage accepts: a
fixed-output fetcher for every source and extra source, with the hash
from the lock, and one derivation per package that runs its locked build
and install actions.

Git sources that the lock leaves without a commit (dune writes those for
development pins) must be pinned, with --pin or a pins file:

  # lock2nix-pins.toml
  [pins]
  piaf = "0123456789abcdef0123456789abcdef01234567"

Examples:
  # write ./dune-lock.nix from ./dune.lock
  lock2nix dune

  # a lock directory elsewhere, printed to standard output
  lock2nix dune ./project --lock-dir dev.lock -o -

  # pin an unpinned git source
  lock2nix dune --pin piaf=0123456789abcdef0123456789abcdef01234567

  # in CI: fail when dune-lock.nix is stale
  lock2nix dune --check
`

var duneCommand = &command{
	name:   "dune",
	help:   duneHelp,
	defOut: func(dir string) string { return filepath.Join(dir, "dune-lock.nix") },
	setup: func(fs *pflag.FlagSet) translator {
		var (
			lockDir  = fs.String("lock-dir", dunelock.DefaultDir, "the lock directory, relative to DIR")
			pins     = fs.StringArray("pin", nil, "pin a git source: `NAME=COMMIT` (repeatable)")
			pinsFile = fs.String("pins", "", "read pins from a TOML `FILE` with a [pins] table (default: DIR/lock2nix-pins.toml when present)")
		)
		return func(dir string, stderr io.Writer) (*translation, error) {
			opts := dunelock.Options{Pins: map[string]string{}}
			file := *pinsFile
			if file == "" {
				if _, err := os.Stat(filepath.Join(dir, "lock2nix-pins.toml")); err == nil {
					file = filepath.Join(dir, "lock2nix-pins.toml")
				}
			}
			if file != "" {
				var cfg struct{ Pins map[string]string }
				if _, err := toml.DecodeFile(file, &cfg); err != nil {
					return nil, fmt.Errorf("%s: %w", file, err)
				}
				for k, v := range cfg.Pins {
					opts.Pins[k] = v
				}
			}
			for _, p := range *pins {
				name, commit, ok := strings.Cut(p, "=")
				if !ok || name == "" {
					return nil, fmt.Errorf("--pin %q: want NAME=COMMIT", p)
				}
				opts.Pins[name] = commit
			}
			lock, err := dunelock.ParseFS(os.DirFS(dir), *lockDir, opts)
			if err != nil {
				return nil, prefixDir(dir, err)
			}
			var flags []string
			if *lockDir != dunelock.DefaultDir {
				flags = append(flags, "--lock-dir", shell.Word(*lockDir))
			}
			locals := lock.LocalSources()
			for i := range locals {
				locals[i].Origin.File = filepath.Join(dir, locals[i].Origin.File)
			}
			return &translation{
				graph: lock.Graph, locals: locals, input: *lockDir, inputPath: filepath.Join(dir, *lockDir), flags: flags,
				emit: func(w io.Writer, h nixexpr.Header) error { return prefixDir(dir, dune.Emit(w, lock, h)) },
				// What --report needs to know of dune besides the graph.
				facts: func() report.Facts { return duneFacts(lock, opts.Pins) },
			}, nil
		}
	},
}

// prefixDir names files in errors from the working directory, as the
// user gave DIR, instead of from the project root.
func prefixDir(dir string, err error) error {
	if dir == "." {
		return err
	}
	var de *lockfile.Error
	var pe *iofs.PathError
	switch {
	case errors.As(err, &de) && err == error(de):
		c := *de
		c.File = filepath.Join(dir, c.File)
		return &c
	case errors.As(err, &pe) && err == error(pe):
		c := *pe
		c.Path = filepath.Join(dir, c.Path)
		return &c
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var errs []error
		for _, e := range joined.Unwrap() {
			errs = append(errs, prefixDir(dir, e))
		}
		return errors.Join(errs...)
	}
	return err
}
