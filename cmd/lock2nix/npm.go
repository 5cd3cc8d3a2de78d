package main

import (
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/npm"
	"github.com/lock2nix/lock2nix/npmlock"
	"github.com/lock2nix/lock2nix/report"
	"github.com/spf13/pflag"
)

const npmHelp = `Usage: lock2nix npm [DIR] [flags]

Translate DIR/npm-shrinkwrap.json, or else DIR/package-lock.json
(lockfileVersion 1, 2 or 3), and DIR/package.json into a Nix data file
that lock2nix's builders read (lock2nix.lib.npm, the overlay's
lock2nixNpm, or import lock2nix { }; --standalone writes one file that
holds them, for pkgs.callPackage). Every source gets a fixed-output fetch
with the hash from the lockfile, or from DIR/lock2nix-pins.toml for
entries without one; no network is used but by --prefetch, which
downloads those entries and records their hashes there. Git dependencies
on GitHub are fetched as GitHub's archive of the locked commit, as npm
fetches them, whose hash --prefetch records too; --allow-unpinned fetches
them with builtins.fetchGit at that commit instead, and --pin
NAME=COMMIT a package's git source with fetchGit at COMMIT.

Packages without a "resolved" URL come from npm's registry, read as npm
reads it, first found: --registry, $npm_config_registry, DIR/.npmrc, the
user's .npmrc ($NPM_CONFIG_USERCONFIG, else ~/.npmrc), npm's default public
registry. "@scope:registry=URL" lines set a scope's registry, and
replace-registry-host is read from the same places. The generated file's
header names the registry used and where it came from; auth settings
(_authToken, _auth, _password) are never read.

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
	lockfiles:    []string{npmlock.ShrinkwrapName, npmlock.LockName},
	prefetchAlgo: lockfile.SHA512,
	setup: func(fs *pflag.FlagSet) translator {
		var (
			registry    = fs.String("registry", "", "npm's registry `URL`, for packages without a resolved URL (default: npm's configuration)")
			replaceHost = fs.String("replace-registry-host", "", "move resolved URLs on `HOST` (\"always\": any host; \"never\") to the registry, as npm's setting of that name (default: npm's configuration, else npmjs)")
			outOfSync   = fs.Bool("allow-out-of-sync", false, "warn, instead of failing, where npm ci refuses the lockfile: out of sync with package.json, or a package needs what the tree lacks")
			standalone  = fs.Bool("standalone", false, "write one file that holds lock2nix's builders too, for pkgs.callPackage (default: a data file for lock2nix.lib.npm)")
		)
		return func(dir string, stderr io.Writer) (*translation, error) {
			conf, err := loadNpmConfig(dir, *registry, *replaceHost, os.Getenv, os.Environ())
			if err != nil {
				return nil, err
			}
			fsys := os.DirFS(dir)
			name, err := npmlock.FindLock(fsys)
			lockPath := filepath.Join(dir, name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", dir, err)
			}
			reserveHeapFor(lockPath)
			pkg, err := os.ReadFile(filepath.Join(dir, "package.json"))
			if err != nil && !errors.Is(err, iofs.ErrNotExist) {
				return nil, err
			}
			used := map[string]bool{}
			opts := npmlock.Options{Registry: conf.options(), Warn: func(msg string) {
				fmt.Fprintf(stderr, "lock2nix npm: warning: %s\n", msg)
			}}
			opts.Registry.Used = func(reg string) { used[reg] = true }
			opts.AllowOutOfSync = *outOfSync
			opts.LegacyPeerDeps = conf.legacyPeerDeps.value == "true"
			var damaged []string
			opts.Damaged = func(keys []string) { damaged = keys }
			g, err := npmlock.ParseFile(fsys, name, lockPath, pkg, opts)
			if pathErr := (*iofs.PathError)(nil); errors.As(err, &pathErr) {
				return nil, fmt.Errorf("%s: %w", dir, err) // reading it, not what it says
			}
			var stops []string
			if err != nil && !*outOfSync {
				// When what npm ci stops on is all there is, say how to go
				// on; --report lists it instead, as it lists the rest of
				// what is out of sync.
				retry := opts
				retry.AllowOutOfSync = true
				var warnings []string
				retry.Warn = func(msg string) { warnings = append(warnings, msg) }
				if g2, again := npmlock.ParseFile(fsys, name, lockPath, pkg, retry); again == nil {
					// The stops come back as warnings; the others (damaged
					// entries, gaps below workspaces) are printed.
					isStop := map[string]bool{}
					for _, l := range strings.Split(err.Error(), "\n") {
						isStop[l] = true
					}
					for _, w := range warnings {
						if line, _, _ := strings.Cut(w, "; the output "); !isStop[line] {
							opts.Warn(w)
						}
					}
					if r := fs.Lookup("report"); r == nil || !r.Changed {
						return nil, fmt.Errorf("%w\nrun npm install to update the lockfile, or pass --allow-out-of-sync", err)
					}
					g, err, stops = g2, nil, strings.Split(err.Error(), "\n")
				}
			}
			if err != nil {
				return nil, err
			}
			var flags []string
			if *outOfSync {
				flags = append(flags, "--allow-out-of-sync")
			}
			build := npm.Build
			if *standalone {
				flags = append(flags, "--standalone")
				build = npm.BuildStandalone
			}
			// The flags as read, credentials dropped (the generated file
			// and messages must never hold them).
			if *registry != "" {
				flags = append(flags, "--registry", shell.Word(conf.registry.value))
			}
			if *replaceHost != "" {
				flags = append(flags, "--replace-registry-host", shell.Word(withoutUser(*replaceHost)))
			}
			if m := conf.machineSettings(); len(m) > 0 {
				fmt.Fprintf(stderr, "lock2nix npm: warning: the output depends on this machine's npm configuration (%s), so it differs where that is not set, --check in CI included; put it in the project's .npmrc, or pass it as a flag\n", strings.Join(m, ", "))
			}
			var locals []lockfile.Source
			for _, p := range g.Packages {
				if p.Source.Local() {
					locals = append(locals, p.Source)
				}
				if locals, err = appendRepo(locals, dir, p.Source); err != nil {
					return nil, err
				}
			}
			return &translation{
				graph: g, locals: locals, localSkip: []string{"node_modules", ".git"}, input: name + registriesUsed(conf, used), inputPath: lockPath, flags: flags,
				build:     func(h nixexpr.Header) (*nixexpr.File, error) { return build(g, h) },
				outOfSync: append(stops, npmlock.CheckSync(fsys, g, opts)...), allowOutOfSync: *outOfSync,
				manifest: "package.json", relock: "npm install",
				// What --report needs to know of npm besides the graph.
				facts: func() report.Facts {
					f := npmFacts(g, conf.configuredRegistry())
					f.Damaged = damaged
					return f
				},
			}, nil
		}
	},
}

// registriesUsed says, for the header, which registries packages were
// fetched from other than by their lockfile URL, and where each setting
// came from: " with registry https://r.test/ (the project's .npmrc)".
func registriesUsed(c *npmConfig, used map[string]bool) string {
	var regs []string
	for reg := range used {
		regs = append(regs, reg)
	}
	slices.Sort(regs)
	var b strings.Builder
	for _, reg := range regs {
		fmt.Fprintf(&b, " with registry %s (%s)", reg, c.registryFor(reg).from)
	}
	return b.String()
}

// withoutUser drops "user:password@" from a host or URL.
func withoutUser(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 && !strings.Contains(s, "/") {
		return s[i+1:]
	}
	return s
}
