// Package githost knows what lock2nix fetches from a git host other than
// by cloning: GitHub's archive of a commit, which npm, yarn 1 and berry
// download for a GitHub dependency (and pnpm locks as a tarball), and
// which lock2nix fetches unpacked (nixpkgs' fetchzip), pinned by the hash
// of its files. Every lockfile reader that meets a GitHub git source asks
// Archive.
package githost

import (
	"net/url"
	"strings"

	"github.com/lock2nix/lock2nix/lockfile"
)

// Manager is a package manager, as far as telling GitHub's addresses from
// other hosts' goes: each reads www.github.com its own way.
type Manager int

const (
	// NPM reads a host as hosted-git-info does (npm 11.19's 9.0.3,
	// lib/from-url.js): lowercased, as the URL parser gives it, and
	// without a leading "www.", so www.github.com is GitHub, whose
	// archive npm downloads from codeload.github.com.
	NPM Manager = iota
	// Yarn1 (1.22.22) tells no GitHub address from another's when it
	// fetches: it clones any git address and installs what `git archive`
	// of the commit gives (lib/cli.js's Git), from www.github.com as from
	// github.com, the same repositories; so www.github.com is read as
	// github.com, whose archive has those files.
	Yarn1
	// Berry's GitHub fetcher (isGithubUrl, yarn 4.9.1) matches
	// http(s)://[USER@]github.com/ only, so it clones www.github.com as any
	// other host: such an address is left as it is.
	Berry
)

// Canonical rewrites u's host as m reads it, for a reader to call before
// Archive: www.github.com (in any
// case, without a port) becomes github.com for NPM and Yarn1, as does
// github.com in another case. It reports whether it rewrote u.
func Canonical(m Manager, u *url.URL) bool {
	if m == Berry || u.Host == "github.com" {
		return false
	}
	if strings.EqualFold(u.Host, "github.com") || strings.EqualFold(u.Host, "www.github.com") {
		u.Host = "github.com"
		return true
	}
	return false
}

// Archive returns the URL of GitHub's archive of commit rev of the
// repository at u (https://github.com/OWNER/REPO, with or without .git),
// https://codeload.github.com/OWNER/REPO/tar.gz/COMMIT, and whether u is
// such a repository and rev a full SHA-1 commit id. u is the address a
// reader fetches the repository from, after it moved ssh and git:// ones
// on GitHub to https: an address with a user (credentials: a private
// repository, which codeload does not serve without them), another
// scheme or host, or a query is not one. A SHA-256 repository's commit
// (64 digits) is not either: GitHub hosts no such repositories, and
// codeload serves no such archives.
func Archive(u *url.URL, rev string) (string, bool) {
	if u.Scheme != "https" || u.Host != "github.com" || u.User != nil || u.RawQuery != "" || len(rev) != 40 || !lockfile.IsCommit(rev) {
		return "", false
	}
	owner, repo, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	repo = strings.TrimSuffix(repo, ".git")
	if !ok || !name(owner) || !name(repo) {
		return "", false
	}
	return "https://codeload.github.com/" + owner + "/" + repo + "/tar.gz/" + rev, true
}

// name reports whether s may be a GitHub owner or repository name:
// letters, digits, "-", "_" and ".", but not "." or "..".
func name(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
