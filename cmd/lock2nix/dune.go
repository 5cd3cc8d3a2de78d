package main

import (
	"errors"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"

	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/dune"
	"github.com/lock2nix/lock2nix/pins"
	"github.com/lock2nix/lock2nix/report"
	"github.com/spf13/pflag"
)

const duneHelp = `Usage: lock2nix dune [DIR] [flags]

Translate the dune lock directory DIR/dune.lock (lock.dune and one .pkg
file per package) into a Nix data file that lock2nix's builders read
(lock2nix.lib.dune, the overlay's lock2nixDune, or import lock2nix { };
--standalone writes one file that holds them, for pkgs.callPackage):
every source and extra source with the hash from the lock, and each
package's locked build and install actions compiled to bash. The
builders make one derivation per package that runs them, building the
lock's own compiler.

Git sources that the lock leaves without a commit (dune writes those for
development pins) must be pinned: --prefetch resolves them with git
ls-remote and records the commits in DIR/lock2nix-pins.toml, which later
runs read offline; --pin or the file's [pins] table pin one by hand:

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

  # pin what the lock leaves unpinned, upgrading md5-only sources too
  lock2nix dune --prefetch=weak

  # in CI (offline): fail when dune-lock.nix or the pins are stale
  lock2nix dune --check
`

var duneCommand = &command{
	name:         "dune",
	help:         duneHelp,
	defOut:       func(dir string) string { return filepath.Join(dir, "dune-lock.nix") },
	lockfiles:    []string{dunelock.DefaultDir},
	prefetchAlgo: lockfile.SHA256,
	setup: func(fs *pflag.FlagSet) translator {
		lockDir := fs.String("lock-dir", dunelock.DefaultDir, "the lock directory `PATH`, relative to DIR")
		standalone := fs.Bool("standalone", false, "write one file that holds lock2nix's builders too, for pkgs.callPackage (default: a data file for lock2nix.lib.dune)")
		return func(dir string, stderr io.Writer) (*translation, error) {
			// Pins (the pins file, --pin) are applied to the graph by
			// the run every command shares.
			// dune writes local pins at absolute paths: those inside
			// the project, as dune names it (links resolved), are read
			// as relative paths.
			abs, err := filepath.Abs(dir)
			if err == nil {
				abs, err = filepath.EvalSymlinks(abs)
			}
			if err != nil {
				return nil, err
			}
			lock, err := dunelock.ParseFS(os.DirFS(dir), *lockDir, dunelock.Options{Dir: filepath.ToSlash(abs)})
			if lock == nil {
				return nil, prefixDir(dir, err)
			}
			var flags []string
			if *lockDir != dunelock.DefaultDir {
				flags = append(flags, "--lock-dir", shell.Word(*lockDir))
			}
			build := dune.Build
			if *standalone {
				flags = append(flags, "--standalone")
				build = dune.BuildStandalone
			}
			locals := lock.LocalSources()
			for i := range locals {
				locals[i].Origin.File = filepath.Join(dir, locals[i].Origin.File)
			}
			return &translation{
				graph: lock.Graph, locals: locals, input: *lockDir, inputPath: filepath.Join(dir, *lockDir), flags: flags,
				build: func(h nixexpr.Header) (*nixexpr.File, error) {
					f, err := build(lock, h)
					return f, prefixDir(dir, err)
				},
				extra: extraSites(lock),
				// What --report needs to know of dune besides the graph.
				facts: func() report.Facts { return duneFacts(lock) },
				// Package files that do not parse: the others are read,
				// and the run reports what else is wrong.
				problems: prefixDir(dir, err),
			}, nil
		}
	},
}

// extraSites lists the packages' extra files, for the pins to apply to.
func extraSites(lock *dunelock.Lock) []pins.Site {
	var sites []pins.Site
	for _, p := range lock.Graph.Packages {
		if r := lock.Recipes[p.ID]; r != nil {
			for i := range r.Extra {
				sites = append(sites, pins.Site{ID: p.ID + "/" + r.Extra[i].Path, Source: &r.Extra[i].Source})
			}
		}
	}
	return sites
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
