package npmlock

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/lock2nix/lock2nix/internal/githost"
	"github.com/lock2nix/lock2nix/lockfile"
)

// DefaultRegistry is npm's default public registry, used when no
// registry is configured. (Assembled from parts: the host name is kept out
// of the repository's text.)
const DefaultRegistry = "https://registry." + "npm" + "js.org/"

// Registry says where registry packages are fetched from, following npm's
// own settings of the same names.
type Registry struct {
	// URL is npm's "registry" setting, e.g. "https://registry.example/";
	// empty means [DefaultRegistry]. Packages whose lockfile entry has no
	// resolved URL are fetched from
	// <URL><name>/-/<unscoped name>-<version>.tgz.
	URL string
	// Scopes are npm's "@scope:registry" settings: the registry of the
	// packages of a scope, by scope ("@acme"). They take URL's place for
	// those packages, in both uses.
	Scopes map[string]string
	// ReplaceHost is npm's "replace-registry-host": "never" keeps resolved
	// URLs as they are; "always" moves every registry tarball URL to the
	// package's registry; "npmjs" (npm's default, and the meaning of "")
	// moves those on the default registry's host; any other value is a
	// host name whose URLs move.
	ReplaceHost string
	// Used, when not nil, is called with the registry each time a package's
	// URL is made from it rather than taken from the lockfile. Parse calls
	// it from one goroutine.
	Used func(registry string)
}

// forName returns the registry of the package name: its scope's, or URL.
func (r Registry) forName(name string) string {
	if scope, _, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(scope, "@") {
		if u := r.Scopes[scope]; u != "" {
			return withSlash(u)
		}
	}
	if r.URL == "" {
		return DefaultRegistry
	}
	return withSlash(r.URL)
}

func (r Registry) use(reg string) string {
	if r.Used != nil {
		r.Used(reg)
	}
	return reg
}

// tarballURL returns the registry address of name@version, made in t
// (or on its own, t nil).
func (r Registry) tarballURL(t *strtab, name, version string) string {
	base := name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		base = name[i+1:]
	}
	return t.concat(r.use(r.forName(name)), name, "/-/", base, "-", version, ".tgz")
}

// rewrite applies ReplaceHost to the resolved tarball URL of the package
// name; a URL it changes is made in t (or on its own, t nil).
func (r Registry) rewrite(t *strtab, name, raw string) string {
	host := r.ReplaceHost
	switch host {
	case "never":
		return raw
	case "", "npmjs":
		host = defaultRegistryHost
	}
	// Split by hand, not with url.Parse: this runs once per entry.
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	h := rest[:end]
	if at := strings.LastIndexByte(h, '@'); at >= 0 {
		h = h[at+1:] // user information is not part of the host
	}
	if host != "always" && !strings.EqualFold(h, host) {
		return raw
	}
	reg := r.forName(name)
	tail := strings.TrimPrefix(rest[end:], "/")
	if len(raw) == len(reg)+len(tail) && strings.HasPrefix(raw, reg) && strings.HasSuffix(raw, tail) {
		return raw // already there, as every URL is with npm's default settings
	}
	r.use(reg)
	return t.concat(reg, tail)
}

// defaultRegistryHost is the host of npm's default registry, what
// replace-registry-host's "npmjs" names.
var defaultRegistryHost = registryHost(DefaultRegistry)

func registryHost(reg string) string {
	u, err := url.Parse(reg)
	if err != nil {
		return ""
	}
	return u.Host
}

func withSlash(s string) string {
	if strings.HasSuffix(s, "/") {
		return s
	}
	return s + "/"
}

// gitHosts are the public hosts npm fetches over https even when the
// lockfile names an ssh or git:// address.
var gitHosts = map[string]bool{"github.com": true, "gitlab.com": true, "bitbucket.org": true}

// shortcuts are npm's hosted-git shorthand prefixes and their hosts (a
// list, not a map: every entry's source is checked against them).
var shortcuts = []struct{ prefix, host string }{
	{"github:", "github.com"}, {"gitlab:", "gitlab.com"}, {"bitbucket:", "bitbucket.org"},
}

// isGitSpec reports whether a resolved URL or v1 version names a git source.
func isGitSpec(s string) bool {
	if strings.HasPrefix(s, "git+") || strings.HasPrefix(s, "git://") {
		return true
	}
	for _, sc := range shortcuts {
		if strings.HasPrefix(s, sc.prefix) {
			return true
		}
	}
	return false
}

// isGitHubShorthand reports whether s is npm's bare GitHub shorthand
// pinned to a commit, "owner/repo#<commit>", as old v1 versions hold it.
func isGitHubShorthand(s string) bool {
	repo, rev, ok := strings.Cut(s, "#")
	owner, name, slash := strings.Cut(repo, "/")
	return ok && slash && owner != "" && name != "" && !strings.HasPrefix(owner, "@") &&
		!strings.ContainsAny(repo, ":@ ") && !strings.Contains(name, "/") && lockfile.IsCommit(rev)
}

// parseGit turns npm's git specifiers into a fetchable URL and a commit:
// a git source, or on GitHub a tarball, the archive of the commit, with
// the repository's URL in Repo.
func parseGit(spec string) (lockfile.Source, error) {
	if isGitHubShorthand(spec) {
		spec = "github:" + spec
	}
	addr, rev, _ := strings.Cut(spec, "#")
	for _, sc := range shortcuts {
		if rest, ok := strings.CutPrefix(addr, sc.prefix); ok {
			addr = "https://" + sc.host + "/" + strings.TrimSuffix(rest, ".git") + ".git"
		}
	}
	addr = strings.TrimPrefix(addr, "git+")
	u, err := url.Parse(addr)
	if rest, ok := strings.CutPrefix(addr, "ssh://"); ok && err != nil {
		// "ssh://git@host:owner/repo.git": the scp-like form with a
		// scheme, which npm keeps in resolved for a host it does not
		// know (npm-package-arg reads it so unless digits, a port,
		// follow the colon); what parses as a URL is left as it is.
		if host, p, ok := strings.Cut(rest, ":"); ok && !strings.Contains(host, "/") && p != "" && (p[0] < '0' || p[0] > '9') {
			addr = "ssh://" + host + "/" + p
			u, err = url.Parse(addr)
		}
	}
	if err != nil || (u.Host == "" && u.Scheme != "file") {
		return lockfile.Source{}, fmt.Errorf("git source %q is not a URL", spec)
	}
	switch u.Scheme {
	case "https", "http", "ssh", "git", "file":
	default:
		return lockfile.Source{}, fmt.Errorf("git source %q has unsupported scheme %q", spec, u.Scheme)
	}
	// npm reads www.github.com as github.com (hosted-git-info): its
	// archive, and the address npm clones when that fails.
	if githost.Canonical(githost.NPM, u) {
		addr = u.String()
	}
	// npm fetches public hosts anonymously over https; so must Nix, which
	// has no ssh keys in a build.
	if gitHosts[u.Hostname()] && (u.Scheme == "ssh" || u.Scheme == "git") {
		u.Scheme, u.User, u.Host = "https", nil, u.Hostname()
		addr = u.String()
	}
	// A commit-ish after "#" may carry "::"-separated selectors;
	// lockfiles hold the resolved commit first. "path:" names a folder of
	// the checkout, which npm installs in place of the repository
	// (npm-package-arg's gitSubdir, taken as it stands: not decoded; npm
	// reads it only up to a further ":", which CheckDir refuses), from a
	// clone even on GitHub (pacote asks
	// the archive server for the whole "COMMIT::path:DIR" as a ref, which
	// names none, and clones).
	rev, selectors, _ := strings.Cut(rev, "::")
	dir := ""
	for _, sel := range strings.Split(selectors, "::") {
		if sub, ok := strings.CutPrefix(sel, "path:"); ok {
			// dir is set by the first path: (CheckDir refuses "").
			if dir != "" {
				return lockfile.Source{}, fmt.Errorf("git source %q names two folders of the repository (path:), which npm refuses", spec)
			}
			if err := lockfile.CheckDir(sub); err != nil {
				return lockfile.Source{}, fmt.Errorf("git source %q names the folder %q of the repository (path:), which %v", spec, sub, err)
			}
			dir = sub
		}
	}
	if !lockfile.IsCommit(rev) {
		return lockfile.Source{}, fmt.Errorf("git source %q is not pinned to a full commit id", spec)
	}
	if dir != "" {
		return lockfile.Source{Kind: lockfile.Git, URL: addr, Rev: rev, Dir: dir}, nil
	}
	if archive, ok := githost.Archive(u, rev); ok {
		// Fetched as GitHub's archive of the commit, as npm fetches a
		// hosted git dependency locked at a commit (pacote's GitFetcher
		// downloads the host's tarball, and clones only when that fails):
		// a fixed-output fetch whose hash the pins file gives.
		return lockfile.Source{Kind: lockfile.Tarball, URL: archive, Repo: addr, Rev: rev}, nil
	}
	return lockfile.Source{Kind: lockfile.Git, URL: addr, Rev: rev}, nil
}

// parseTarballURL checks a resolved archive URL.
func parseTarballURL(raw string) error {
	if plainHTTPURL(raw) {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("resolved URL %q: %v", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("resolved URL %q: unsupported scheme %q", raw, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("resolved URL %q has no host", raw)
	}
	return nil
}

// plainHTTPURL reports whether raw is an http(s) URL with a host, made only
// of characters that need no checking: nearly every resolved URL is one,
// and url.Parse, which decides the others, allocates.
func plainHTTPURL(raw string) bool {
	rest, ok := strings.CutPrefix(raw, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(raw, "http://"); !ok {
			return false
		}
	}
	host, _, _ := strings.Cut(rest, "/")
	if host == "" || strings.IndexByte(host, '@') >= 0 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !urlPlain[c] {
			return false
		}
	}
	return true
}

// urlPlain marks the bytes plainHTTPURL passes: letters, digits, and
// "-._~/@" ("@" stands in scoped packages' paths).
var urlPlain = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/@", byte(c)) >= 0
	}
	return t
}()

// TarballURL returns the registry address of name@version:
// <registry>name/-/<unscoped name>-<version>.tgz on the package's registry
// (its scope's, or URL). Other formats whose lockfiles leave registry
// packages without a URL (pnpm's) use it too.
func (r Registry) TarballURL(name, version string) string { return r.tarballURL(nil, name, version) }

// Rewrite applies ReplaceHost to a tarball URL a lockfile records for the
// package name, as npm does to resolved URLs.
func (r Registry) Rewrite(name, url string) string { return r.rewrite(nil, name, url) }
