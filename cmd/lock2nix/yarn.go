package main

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/yarn"
	"github.com/lock2nix/lock2nix/report"
	"github.com/lock2nix/lock2nix/yarnlock"
	"github.com/spf13/pflag"
)

const yarnHelp = `Usage: lock2nix yarn [DIR] [flags]

Translate DIR/yarn.lock, written by yarn 1 ("# yarn lockfile v1") or by
yarn 2 and later (berry, with __metadata), with DIR/package.json and
DIR/.yarnrc.yml, into a data file for lock2nix's builders: a schema
version, every source with its hash, and the packages. Build it with the
flake's lib.yarn, the overlay's lock2nixYarn, or import lock2nix { };
--standalone writes one file that holds the builders too, for
pkgs.callPackage. Every source gets a fixed-output fetcher; node_modules
(or Plug'n'Play's files) is made by yarn itself, run offline in the build
over those fetches, so the tree is the one yarn makes.

yarn 1 locks carry each tarball's hash (integrity, or the sha1 in the
resolved URL). berry's checksum is a hash of yarn's own cache zip, not of
the tarball, so it cannot pin a download: run --prefetch once, which
downloads every tarball and records its sha512 in DIR/lock2nix-pins.toml
(commit it); later runs read it offline. yarn itself still checks its zips
against the lockfile's checksums in the build. Git dependencies on GitHub
are fetched as GitHub's archive of the locked commit, whose hash
--prefetch records too; --allow-unpinned fetches them with
builtins.fetchGit at that commit instead. --pin NAME=COMMIT fetches a
package's git source with fetchGit at COMMIT; for berry only at the
locked commit (yarn checks the lock's checksum), another is refused.

berry's npm: packages come from --registry, else .yarnrc.yml's
npmRegistryServer, else yarn's default registry.

Examples:
  # write ./yarn-lock.nix
  lock2nix yarn

  # a berry project: hash the tarballs once, then translate offline
  lock2nix yarn --prefetch

  # fetch from a mirror: berry's packages, and classic's resolved URLs
  # on registry.yarnpkg.com
  lock2nix yarn --registry https://npm.example.org/ --replace-registry-host registry.yarnpkg.com

  # in CI (offline): fail when yarn-lock.nix or the pins are stale
  lock2nix yarn --check
`

var yarnCommand = &command{
	name:         "yarn",
	help:         yarnHelp,
	defOut:       func(dir string) string { return filepath.Join(dir, "yarn-lock.nix") },
	lockfiles:    []string{yarnlock.LockName},
	prefetchAlgo: lockfile.SHA512,
	setup: func(fs *pflag.FlagSet) translator {
		var (
			registry    = fs.String("registry", "", "the registry `URL` berry's npm: packages come from, and classic's moved URLs go to (default: .yarnrc.yml's npmRegistryServer, else yarn's)")
			replaceHost = fs.StringArray("replace-registry-host", nil, "move classic resolved URLs on `HOST` (\"always\": any host) to --registry; repeatable")
			outOfSync   = fs.Bool("allow-out-of-sync", false, "warn, instead of failing, when package.json asks for what yarn.lock lacks (yarn install --frozen-lockfile and --immutable refuse such a lock)")
			standalone  = fs.Bool("standalone", false, "write one file that holds lock2nix's builders too, for pkgs.callPackage (default: a data file for lock2nix.lib.yarn)")
		)
		return func(dir string, stderr io.Writer) (*translation, error) {
			if len(*replaceHost) > 0 && *registry == "" {
				return nil, fmt.Errorf("--replace-registry-host needs --registry, the URL to move to")
			}
			opts := yarnlock.Options{Registry: *registry, ReplaceHosts: *replaceHost, Warn: func(msg string) {
				fmt.Fprintf(stderr, "lock2nix yarn: warning: %s\n", msg)
			}}
			reserveHeapFor(filepath.Join(dir, "yarn.lock"))
			fsys := os.DirFS(dir)
			l, err := yarnlock.ParseFS(fsys, opts)
			if err != nil {
				return nil, prefixDir(dir, err)
			}
			var flags []string
			if *outOfSync {
				flags = append(flags, "--allow-out-of-sync")
			}
			build := yarn.Build
			if *standalone {
				flags = append(flags, "--standalone")
				build = yarn.BuildStandalone
			}
			if *registry != "" {
				flags = append(flags, "--registry", shell.Word(withoutUser(*registry)))
			}
			for _, h := range *replaceHost {
				flags = append(flags, "--replace-registry-host", shell.Word(withoutUser(h)))
			}
			var locals []lockfile.Source
			for _, p := range l.Graph.Packages {
				// Positions name the lockfile as the user named its folder,
				// in this run's messages (the boundary, unpinned sources).
				if p.Source.Origin.File != "" {
					p.Source.Origin.File = filepath.Join(dir, p.Source.Origin.File)
				}
				s := p.Source
				if s.Local() {
					locals = append(locals, s)
				}
				if locals, err = appendRepo(locals, dir, s); err != nil {
					return nil, err
				}
			}
			for _, f := range l.PatchFiles {
				f.Origin.File = filepath.Join(dir, f.Origin.File)
				locals = append(locals, f)
			}
			relock := "yarn install"
			input := yarnlock.LockName + " (" + l.Format.String()
			if l.Format == yarnlock.Berry {
				input += fmt.Sprintf(" v%d, nodeLinker %s", l.Version, l.Settings.NodeLinker)
			}
			input += ")"
			return &translation{
				graph: l.Graph, locals: locals, localSkip: []string{"node_modules", ".git"},
				input: input, inputPath: filepath.Join(dir, yarnlock.LockName), flags: flags,
				build:     func(h nixexpr.Header) (*nixexpr.File, error) { return build(l, h) },
				outOfSync: l.CheckSync(fsys), allowOutOfSync: *outOfSync,
				manifest: "package.json", relock: relock,
				// berry checks out the locked commit of a git dependency
				// and checks its packed files against the lock's checksum.
				pinLocked: l.Format == yarnlock.Berry,
				// yarn.lock says nothing of install scripts; the
				// registry and platforms are as npm's.
				facts: func() report.Facts {
					fmt.Fprintf(stderr, "lock2nix yarn: note: yarn.lock does not record which packages have install scripts, so the report lists none; the build runs those yarn runs (installScripts = false turns them off)\n")
					return npmFacts(l.Graph, *registry)
				},
			}, nil
		}
	},
}

// appendRepo appends to locals, for a git source whose repository is on
// this machine (a file: URL, "git+" or not), the repository's folder:
// fetchGit would read it wherever it lies, so it is held to the boundary
// as local paths are. Other sources append nothing.
func appendRepo(locals []lockfile.Source, dir string, s lockfile.Source) ([]lockfile.Source, error) {
	if s.Kind != lockfile.Git {
		return locals, nil
	}
	rel, err := fileRepo(dir, strings.TrimPrefix(s.URL, "git+"))
	if err != nil {
		return nil, s.Origin.Errorf("%v", err)
	}
	if rel != "" {
		locals = append(locals, lockfile.Source{Kind: lockfile.Directory, Path: rel, Origin: s.Origin})
	}
	return locals, nil
}

// fileRepo returns, for a file:// git URL, the repository's path relative
// to the project in dir (forward slashes; it may lead up), or "" for any
// other URL.
func fileRepo(dir, rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "file" {
		return "", nil
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(abs, filepath.FromSlash(u.Path))
	if err != nil || !filepath.IsAbs(filepath.FromSlash(u.Path)) {
		return "", fmt.Errorf("the git repository %s is not an absolute file path", rawURL)
	}
	return filepath.ToSlash(rel), nil
}
