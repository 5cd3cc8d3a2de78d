package githost

import (
	"net/url"
	"testing"
)

// TestArchive: a GitHub repository's https address at a full SHA-1 commit
// has an archive; any other address or commit has none.
func TestArchive(t *testing.T) {
	const c = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		addr, rev, want string
	}{
		{"https://github.com/o/r.git", c, "https://codeload.github.com/o/r/tar.gz/" + c},
		{"https://github.com/o/r", c, "https://codeload.github.com/o/r/tar.gz/" + c},
		{"https://github.com/o/r.js.git", c, "https://codeload.github.com/o/r.js/tar.gz/" + c},
		{"https://github.com/o/r.git", c + "0123456789abcdef01234567", ""}, // SHA-256
		{"https://github.com/o/r.git", "0123ABCDEF0123456789abcdef0123456789abcd", ""},
		{"https://github.com/o/r.git", "main", ""},
		{"https://github.com/o/r.git", c[:7], ""},
		{"https://u:t@github.com/o/r.git", c, ""},
		{"https://git@github.com/o/r.git", c, ""},
		{"ssh://git@github.com/o/r.git", c, ""},
		{"http://github.com/o/r.git", c, ""},
		{"https://gitlab.com/o/r.git", c, ""},
		{"https://github.com.evil.test/o/r.git", c, ""},
		{"https://github.com/o/r/x.git", c, ""},
		{"https://github.com/o", c, ""},
		{"https://github.com/o/..", c, ""},
		{"https://github.com/o/r.git?x=1", c, ""},
	} {
		u, err := url.Parse(tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := Archive(u, tc.rev)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Archive(%s, %s) = %q, %v; want %q", tc.addr, tc.rev, got, ok, tc.want)
		}
	}
}

// TestCanonical: npm and yarn 1 read www.github.com, and github.com in
// any case, as github.com; berry leaves them, as every other host, as
// written.
func TestCanonical(t *testing.T) {
	for _, tc := range []struct {
		m          Manager
		addr, want string
	}{
		{NPM, "https://www.github.com/o/r.git", "https://github.com/o/r.git"},
		{NPM, "ssh://git@www.github.com/o/r.git", "ssh://git@github.com/o/r.git"},
		{NPM, "https://WWW.GitHub.com/o/r.git", "https://github.com/o/r.git"},
		{NPM, "https://GitHub.com/o/r.git", "https://github.com/o/r.git"},
		{Yarn1, "https://www.github.com/o/r.git", "https://github.com/o/r.git"},
		{Yarn1, "git://www.github.com/o/r.git", "git://github.com/o/r.git"},
		{Berry, "https://www.github.com/o/r.git", ""},
		{Berry, "https://GitHub.com/o/r.git", ""},
		{NPM, "https://github.com/o/r.git", ""},
		{NPM, "https://www.github.com:443/o/r.git", ""},
		{NPM, "https://www.gitlab.com/o/r.git", ""},
		{NPM, "https://www.github.com.evil.test/o/r.git", ""},
		{NPM, "https://wwwgithub.com/o/r.git", ""},
		{Yarn1, "https://gist.github.com/o/r.git", ""},
	} {
		u, err := url.Parse(tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		changed := Canonical(tc.m, u)
		got := ""
		if changed {
			got = u.String()
		} else if u.String() != tc.addr {
			t.Errorf("Canonical(%d, %s) changed it to %s but says it did not", tc.m, tc.addr, u)
		}
		if got != tc.want {
			t.Errorf("Canonical(%d, %s) = %q; want %q", tc.m, tc.addr, got, tc.want)
		}
	}
}
