package main

import (
	"errors"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"

	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/npm"
	"github.com/lock2nix/lock2nix/npmlock"
	"github.com/lock2nix/lock2nix/report"
	"github.com/spf13/pflag"
)

const npmHelp = `Usage: lock2nix npm [DIR] [flags]

Translate DIR/package-lock.json (lockfileVersion 1, 2 or 3) and
DIR/package.json into one Nix file that pkgs.callPackage accepts. Every
source gets a fixed-output fetcher with the hash from the lockfile, or
from DIR/lock2nix-pins.toml for entries without one; no network is used
but by --prefetch, which downloads those entries and records their hashes
there.

Examples:
  # write ./package-lock.nix
  lock2nix npm

  # a project elsewhere, printed to standard output
  lock2nix npm ./web -o -

  # packages without a "resolved" URL come from your registry or mirror
  lock2nix npm --registry https://npm.example.org/

  # hash the entries without integrity (and upgrade sha1-only ones)
  lock2nix npm --prefetch=weak

  # in CI (offline): fail when package-lock.nix or the pins are stale
  lock2nix npm --check
`

var npmCommand = &command{
	name:         "npm",
	help:         npmHelp,
	defOut:       func(dir string) string { return filepath.Join(dir, "package-lock.nix") },
	prefetchAlgo: lockfile.SHA512,
	setup: func(fs *pflag.FlagSet) translator {
		var (
			registry    = fs.String("registry", "", "npm's registry `URL`, for packages without a resolved URL (default: $npm_config_registry)")
			replaceHost = fs.String("replace-registry-host", "never", "move resolved URLs on `HOST` (or \"always\": on any host) to --registry, as npm's setting of that name does")
		)
		return func(dir string, stderr io.Writer) (*translation, error) {
			reg := *registry
			if reg == "" {
				reg = firstEnv("npm_config_registry", "NPM_CONFIG_REGISTRY")
			}
			lockPath := filepath.Join(dir, npmlock.LockName)
			lock, err := os.ReadFile(lockPath)
			if err != nil {
				return nil, err
			}
			pkg, err := os.ReadFile(filepath.Join(dir, "package.json"))
			if err != nil && !errors.Is(err, iofs.ErrNotExist) {
				return nil, err
			}
			g, err := npmlock.Parse(lockPath, lock, pkg, npmlock.Options{Registry: npmlock.Registry{
				URL: reg, ReplaceHost: *replaceHost,
			}})
			if err != nil {
				return nil, err
			}
			var flags []string
			if reg != "" {
				flags = append(flags, "--registry", shell.Word(reg))
			}
			if *replaceHost != "never" {
				flags = append(flags, "--replace-registry-host", shell.Word(*replaceHost))
			}
			var locals []lockfile.Source
			for _, p := range g.Packages {
				if p.Source.Local() {
					locals = append(locals, p.Source)
				}
			}
			return &translation{
				graph: g, locals: locals, input: npmlock.LockName, inputPath: lockPath, flags: flags,
				emit: func(w io.Writer, h nixexpr.Header) error { return npm.Emit(w, g, h) },
				// What --report needs to know of npm besides the graph.
				facts: func() report.Facts { return npmFacts(g, reg) },
			}, nil
		}
	},
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}
