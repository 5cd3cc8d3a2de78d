package npmlock

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

// TestGitHubArchives: a git source on github.com locked at a full SHA-1
// commit, in each form npm writes (lockfileVersion 2 and 3's resolved,
// v1's version), becomes GitHub's archive of that commit, a tarball
// without a hash with the repository and commit kept, stated where the
// lockfile names it, never with the lock's integrity (npm's packed
// package's, not the archive's); other hosts, an address with a user (a
// private repository: codeload serves none without credentials) and
// SHA-256 commits stay git sources, and what was refused still is.
func TestGitHubArchives(t *testing.T) {
	const c = "0123456789abcdef0123456789abcdef01234567"
	const c256 = c + "0123456789abcdef01234567"
	archive := func(owner, repo, url string) lockfile.Source {
		return lockfile.Source{Kind: lockfile.Tarball, URL: "https://codeload.github.com/" + owner + "/" + repo + "/tar.gz/" + c, Repo: url, Rev: c}
	}
	git := func(url, rev string) lockfile.Source { return lockfile.Source{Kind: lockfile.Git, URL: url, Rev: rev} }
	dir := func(s lockfile.Source, dir string) lockfile.Source { s.Dir = dir; return s }
	for _, tc := range []struct {
		spec string // v2/v3's resolved, or v1's version
		v1   bool
		want lockfile.Source
		err  string
	}{
		// What npm 7 and later write: ssh, or https when the spec had a
		// user or was an https address.
		{spec: "git+ssh://git@github.com/o/r.git#" + c, want: archive("o", "r", "https://github.com/o/r.git")},
		{spec: "git+https://github.com/o/r.git#" + c, want: archive("o", "r", "https://github.com/o/r.git")},
		{spec: "git+https://github.com/o/r.js#" + c, want: archive("o", "r.js", "https://github.com/o/r.js")},
		{spec: "git://github.com/o/r.git#" + c, want: archive("o", "r", "https://github.com/o/r.git")},
		{spec: "github:o/r#" + c, want: archive("o", "r", "https://github.com/o/r.git")},
		// npm 6 (v1): the version holds the spec.
		{spec: "github:o/r#" + c, v1: true, want: archive("o", "r", "https://github.com/o/r.git")},
		{spec: "o/r#" + c, v1: true, want: archive("o", "r", "https://github.com/o/r.git")},
		{spec: "git+ssh://git@github.com/o/r.git#" + c, v1: true, want: archive("o", "r", "https://github.com/o/r.git")},
		// A user in an https address: credentials for a private
		// repository (npm's codeload download fails without them, and it
		// clones).
		{spec: "git+https://u:t@github.com/o/r.git#" + c, want: git("https://u:t@github.com/o/r.git", c)},
		{spec: "git+https://git@github.com/o/r.git#" + c, want: git("https://git@github.com/o/r.git", c)},
		// Other hosts, npm's shorthands for them included.
		{spec: "git+ssh://git@gitlab.com/o/r.git#" + c, want: git("https://gitlab.com/o/r.git", c)},
		{spec: "gitlab:o/r#" + c, want: git("https://gitlab.com/o/r.git", c)},
		{spec: "bitbucket:o/r#" + c, want: git("https://bitbucket.org/o/r.git", c)},
		{spec: "git+https://git.example/o/r.git#" + c, want: git("https://git.example/o/r.git", c)},
		{spec: "git+ssh://git@git.example/o/r.git#" + c, want: git("ssh://git@git.example/o/r.git", c)},
		// The scp-like form with a scheme: what npm writes for a host it
		// does not know (npm-package-arg reads it, and npm clones
		// git@git.example:o/r.git); a GitHub one npm writes as above, and
		// it reads the same. Digits after the colon are a port.
		{spec: "git+ssh://git@git.example:o/r.git#" + c, want: git("ssh://git@git.example/o/r.git", c)},
		{spec: "git+ssh://git@git.example:2222/o/r.git#" + c, want: git("ssh://git@git.example:2222/o/r.git", c)},
		{spec: "git+ssh://git@github.com:o/r.git#" + c, want: archive("o", "r", "https://github.com/o/r.git")},
		{spec: "git+ssh://git@git.example:o/r.git#" + c, v1: true, want: git("ssh://git@git.example/o/r.git", c)},
		// What parses as a URL stays as it is (a password, an empty port).
		{spec: "git+ssh://u:t@git.example/o/r.git#" + c, want: git("ssh://u:t@git.example/o/r.git", c)},
		{spec: "git+ssh://git@git.example:/srv/r.git#" + c, want: git("ssh://git@git.example:/srv/r.git", c)},
		{spec: "git+ssh://git@git.example:22x/o/r.git#" + c, err: "is not a URL"},
		// www.github.com, and github.com in another case, are GitHub to
		// npm (hosted-git-info lowercases the host and drops "www."),
		// which downloads the archive and clones github.com when that
		// fails.
		{spec: "git+https://www.github.com/o/r.git#" + c, want: archive("o", "r", "https://github.com/o/r.git")},
		{spec: "git+ssh://git@www.github.com/o/r.git#" + c, want: archive("o", "r", "https://github.com/o/r.git")},
		{spec: "git+https://GitHub.com/o/r.git#" + c, want: archive("o", "r", "https://github.com/o/r.git")},
		{spec: "git+https://www.github.com/o/r.git#" + c, v1: true, want: archive("o", "r", "https://github.com/o/r.git")},
		{spec: "git+https://u:t@www.github.com/o/r.git#" + c, want: git("https://u:t@github.com/o/r.git", c)},
		{spec: "git+https://www.gitlab.com/o/r.git#" + c, want: git("https://www.gitlab.com/o/r.git", c)},
		// Not a repository's address on GitHub.
		{spec: "git+https://github.com/o/r/x.git#" + c, want: git("https://github.com/o/r/x.git", c)},
		{spec: "git+http://github.com/o/r.git#" + c, want: git("http://github.com/o/r.git", c)},
		// A SHA-256 repository's commit: codeload serves only SHA-1 ones.
		{spec: "git+ssh://git@github.com/o/r.git#" + c256, want: git("https://github.com/o/r.git", c256)},
		// A folder of the repository (npm-package-arg's gitSubdir): npm
		// installs that folder of a clone, on GitHub too (it asks the
		// archive server for "COMMIT::path:DIR" as a ref, which fails).
		{spec: "git+ssh://git@github.com/o/r.git#" + c + "::path:packages/a", want: dir(git("https://github.com/o/r.git", c), "packages/a")},
		{spec: "github:o/r#" + c + "::path:a", want: dir(git("https://github.com/o/r.git", c), "a")},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:packages/a", want: dir(git("https://git.example/o/r.git", c), "packages/a")},
		{spec: "git+https://git.example/o/r.git#" + c + "::other:x::path:.a/b..c", want: dir(git("https://git.example/o/r.git", c), ".a/b..c")},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:a", v1: true, want: dir(git("https://git.example/o/r.git", c), "a")},
		// Folders that may lead out of the checkout, or that readers
		// may read as different folders, are refused.
		{spec: "git+https://git.example/o/r.git#" + c + "::path:", err: `names the folder "" of the repository (path:), which is empty`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:/etc", err: `names the folder "/etc" of the repository (path:), which is absolute`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:../x", err: `which goes up a folder ("..")`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:a/../../x", err: `which goes up a folder ("..")`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:a/..", err: `which goes up a folder ("..")`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:a/./b", err: `which has the name "."`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:a//b", err: `which has an empty name`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:a/", err: `which has an empty name`},
		{spec: `git+https://git.example/o/r.git#` + c + `::path:a\\..\\x`, err: `which holds a backslash`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:%2e%2e/x", err: `which is percent-encoded`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:a%2F..", err: `which is percent-encoded`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:a:b", err: `which holds a colon`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:a\\u0001", err: `which holds a control character`},
		{spec: "git+https://git.example/o/r.git#" + c + "::path:a::path:b", err: `names two folders of the repository`},
		// A folder at a branch: not pinned, as without one.
		{spec: "git+https://git.example/o/r.git#main::path:a", err: "is not pinned to a full commit id"},
		{spec: "git+ssh://git@github.com/o/r.git#" + c + "::other:x", want: archive("o", "r", "https://github.com/o/r.git")},
		// Not a commit id npm writes (lowercase): refused, as before.
		{spec: "git+ssh://git@github.com/o/r.git#" + strings.ToUpper(c), err: "is not pinned to a full commit id"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			var lock, at string
			if tc.v1 {
				lock = `{"lockfileVersion": 1, "dependencies": {"a": {"version": "` + tc.spec + `"}}}`
				at = `{"version"`
			} else {
				// npm 11 records the integrity of the package it packed
				// from the files, which is not the archive's hash.
				lock = `{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {"version": "1.0.0", "resolved": "` + tc.spec + `", "integrity": "sha512-0BH0CbanD5TUkUpBZcVnaoapvPEQmll9S+wL4TjxTE3LWc90Y9RW3RhqRkHqKJQnm6OeMCVzR84BKEa6JhawZQ=="}}}`
				at = `"` + tc.spec
			}
			g, err := Parse("package-lock.json", lock, nil, Options{AllowOutOfSync: true})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Packages) != 1 {
				t.Fatalf("%d packages", len(g.Packages))
			}
			got := g.Packages[0].Source
			want := tc.want
			if want.Repo != "" {
				// Where the lockfile names the source: its resolved URL (v1:
				// the entry, whose version names it).
				want.Origin = lockfile.Pos{File: "package-lock.json", Line: 1, Col: strings.Index(lock, at) + 1}
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if id := g.Packages[0].ID; id != "a@1.0.0" && id != "a@git" {
				t.Errorf("ID %s, want the one a git source has", id)
			}
		})
	}
}
