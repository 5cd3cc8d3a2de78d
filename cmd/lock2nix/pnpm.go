package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/pnpm"
	"github.com/lock2nix/lock2nix/pnpmlock"
	"github.com/lock2nix/lock2nix/report"
	"github.com/spf13/pflag"
)

const pnpmHelp = `Usage: lock2nix pnpm [DIR] [flags]

Translate DIR/pnpm-lock.yaml (lockfileVersion 6.x of pnpm 8, 9.0 of pnpm
9 and later, pnpm 12's two-document files included) with
DIR/pnpm-workspace.yaml, every importer's package.json and DIR/.npmrc
into a Nix data file that lock2nix's builders read (lock2nix.lib.pnpm,
the overlay's lock2nixPnpm, or import lock2nix { }; --standalone writes
one file that holds them, for pkgs.callPackage). Every package gets a
fixed-output fetch with the lock's own integrity hash (a git package: at
the lock's commit); tarballs without integrity (some git hosts' archives) are pinned in
DIR/lock2nix-pins.toml by --prefetch, as for npm. No network is used but
by --prefetch.

node_modules is laid out as pnpm install --frozen-lockfile lays it out
(node-linker isolated): the virtual store in node_modules/.pnpm, each
importer's links, the hoisted node_modules/.pnpm/node_modules,
public-hoist-pattern and shamefully-hoist, bins, and install scripts as
pnpm runs them (pnpm 10 and later: only onlyBuiltDependencies); with
node-linker=hoisted, pnpm's hoisted tree of real folders (node-linker=pnp
stops). Lockfiles of pnpm 7 and earlier (5.x) stop with a message saying
how to upgrade.

Registry packages (the lock records only their integrity) come from npm's
registry, read as lock2nix npm reads it: --registry, $npm_config_registry,
DIR/.npmrc, the user's .npmrc, npm's default.

Examples:
  # write ./pnpm-lock.nix
  lock2nix pnpm

  # a workspace elsewhere, printed to standard output
  lock2nix pnpm ./monorepo -o -

  # registry packages from your registry or mirror
  lock2nix pnpm --registry https://npm.example.org/

  # hash the tarballs the lock leaves without integrity
  lock2nix pnpm --prefetch

  # in CI (offline): fail when pnpm-lock.nix or the pins are stale
  lock2nix pnpm --check
`

var pnpmCommand = &command{
	name:         "pnpm",
	help:         pnpmHelp,
	defOut:       func(dir string) string { return filepath.Join(dir, "pnpm-lock.nix") },
	lockfiles:    []string{pnpmlock.LockFile},
	prefetchAlgo: lockfile.SHA512,
	setup: func(fs *pflag.FlagSet) translator {
		var (
			registry    = fs.String("registry", "", "npm's registry `URL`, for registry packages (default: npm's configuration)")
			replaceHost = fs.String("replace-registry-host", "", "move tarball URLs on `HOST` (\"always\": any host; \"never\") to the registry (default: npm's configuration, else npmjs)")
			outOfSync   = fs.Bool("allow-out-of-sync", false, "warn, instead of failing, when a package.json and the lockfile disagree (pnpm install --frozen-lockfile refuses such a lockfile)")
			standalone  = fs.Bool("standalone", false, "write one file that holds lock2nix's builders too, for pkgs.callPackage (default: a data file for lock2nix.lib.pnpm)")
		)
		return func(dir string, stderr io.Writer) (*translation, error) {
			conf, err := loadNpmConfig(dir, *registry, *replaceHost, os.Getenv, os.Environ())
			if err != nil {
				return nil, err
			}
			used := map[string]bool{}
			reg := conf.options()
			reg.Used = func(r string) { used[r] = true }
			reserveHeapFor(filepath.Join(dir, "pnpm-lock.yaml"))
			lock, err := pnpmlock.ParseFS(os.DirFS(dir), pnpmlock.Options{
				TarballURL: reg.TarballURL,
				Rewrite:    reg.Rewrite,
				Warn:       func(msg string) { fmt.Fprintf(stderr, "lock2nix pnpm: warning: %s\n", msg) },
			})
			if err != nil {
				return nil, prefixDir(dir, err)
			}
			var flags []string
			if *outOfSync {
				flags = append(flags, "--allow-out-of-sync")
			}
			build := pnpm.Build
			if *standalone {
				flags = append(flags, "--standalone")
				build = pnpm.BuildStandalone
			}
			if *registry != "" {
				flags = append(flags, "--registry", shell.Word(conf.registry.value))
			}
			if *replaceHost != "" {
				flags = append(flags, "--replace-registry-host", shell.Word(withoutUser(*replaceHost)))
			}
			if m := conf.machineSettings(); len(m) > 0 {
				fmt.Fprintf(stderr, "lock2nix pnpm: warning: the output depends on this machine's npm configuration (%s), so it differs where that is not set, --check in CI included; put it in the project's .npmrc, or pass it as a flag\n", strings.Join(m, ", "))
			}
			locals := pnpmLocals(lock)
			for _, p := range lock.Graph.Packages {
				if locals, err = appendRepo(locals, dir, p.Source); err != nil {
					return nil, err
				}
			}
			for i := range locals {
				locals[i].Origin.File = filepath.Join(dir, locals[i].Origin.File)
			}
			g := lock.Graph
			return &translation{
				graph: g, locals: locals, localSkip: []string{"node_modules", ".git"},
				input: pnpmlock.LockFile + registriesUsed(conf, used), inputPath: filepath.Join(dir, pnpmlock.LockFile), flags: flags,
				build:     func(h nixexpr.Header) (*nixexpr.File, error) { return build(lock, h) },
				outOfSync: pnpmlock.CheckSync(os.DirFS(dir), lock), allowOutOfSync: *outOfSync,
				manifest: "the package.json files", relock: "pnpm install",
				facts: func() report.Facts {
					f := npmFacts(g, conf.configuredRegistry())
					f.Ecosystem = "pnpm"
					f.Scripts = pnpmScripts(lock)
					return f
				},
			}, nil
		}
	},
}

// pnpmLocals lists the local paths the generated file copies into the
// store: file: folders and archives, link targets (of importers and of
// packages) and patch files.
func pnpmLocals(lock *pnpmlock.Lock) []lockfile.Source {
	var out []lockfile.Source
	seen := map[string]bool{}
	add := func(s lockfile.Source) {
		if !seen[s.Path] {
			seen[s.Path] = true
			out = append(out, s)
		}
	}
	for _, p := range lock.Graph.Packages {
		if p.Source.Local() {
			add(p.Source)
		}
	}
	for _, pt := range lock.Patches {
		add(lockfile.Source{Kind: lockfile.LocalTarball, Path: pt.Path, Origin: pt.Pos})
	}
	links := func(deps []pnpmlock.Dep) {
		for _, d := range deps {
			if d.Link != "" {
				add(lockfile.Source{Kind: lockfile.Link, Path: d.Link, Origin: d.Pos})
			}
		}
	}
	for _, imp := range lock.Importers {
		links(imp.Deps)
	}
	// A package's link: dependency is a link out of the tree too.
	for _, s := range lock.Snapshots {
		links(s.Deps)
	}
	return out
}

// pnpmScripts says which packages may run install scripts: those the lock
// marks (requiresBuild, 6.x), or, as lockfile 9.0 does not say, those
// pnpm 10's onlyBuiltDependencies allows (their scripts run if they have
// any), or every package but neverBuiltDependencies under pnpm 9's rule.
func pnpmScripts(lock *pnpmlock.Lock) map[string]string {
	s := lock.Settings
	// As the layout's canBuild: never by name; only by name or
	// name@version for semver versions, else by the full id.
	allowed := func(p *lockfile.Package) bool {
		if slices.Contains(s.NeverBuiltDependencies, p.Name) {
			return false
		}
		if s.BuildPolicy != "allowlist" || s.DangerouslyAllowAllBuilds {
			return true
		}
		if slices.Contains(s.OnlyBuiltDependencies, p.ID) {
			return true
		}
		return semverVersion().MatchString(p.Version) && (slices.Contains(s.OnlyBuiltDependencies, p.Name) || slices.Contains(s.OnlyBuiltDependencies, p.Name+"@"+p.Version))
	}
	out := map[string]string{}
	for _, p := range lock.Graph.Packages {
		switch {
		case !allowed(p):
		case p.HasInstallScript:
			out[p.ID] = "install scripts (requiresBuild)"
		case !strings.HasPrefix(lock.Version, "6") && s.BuildPolicy == "allowlist":
			out[p.ID] = "install scripts, if it has any (onlyBuiltDependencies allows them; lockfile 9.0 does not say)"
		case !strings.HasPrefix(lock.Version, "6"):
			out[p.ID] = "install scripts, if it has any (lockfile 9.0 does not say)"
		}
	}
	return out
}

// semverVersion is compiled when first needed, not when every lock2nix run
// starts.
var semverVersion = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
})
