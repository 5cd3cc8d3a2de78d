package lockfile

import (
	"strings"
	"testing"
)

// TestCheckDir: a folder of a git checkout is taken only as plain names
// below the checkout, which every reader reads alike.
func TestCheckDir(t *testing.T) {
	for _, tc := range []struct{ dir, err string }{
		{"a", ""},
		{"packages/a", ""},
		{".a/b..c/-x_y z", ""},
		{"é/☃", ""},
		{"", "is empty"},
		{"/etc", "is absolute"},
		{"..", `goes up a folder ("..")`},
		{"a/../..", `goes up a folder ("..")`},
		{"a/..", `goes up a folder ("..")`},
		{".", `has the name "."`},
		{"a/./b", `has the name "."`},
		{"a//b", "has an empty name"},
		{"a/", "has an empty name"},
		{`a\..\b`, "holds a backslash"},
		{"%2e%2e", "is percent-encoded"},
		{"a%2fb", "is percent-encoded"},
		{"a:b", "holds a colon"},
		{"a\nb", "holds a control character"},
		{"a\x7f", "holds a control character"},
	} {
		err := CheckDir(tc.dir)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("CheckDir(%q) = %v, want nil", tc.dir, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("CheckDir(%q) = %v, want one saying %q", tc.dir, err, tc.err)
		}
	}
}

// TestAsGitKeepsDir: an archive of a commit fetched as the git commit
// keeps the folder it names.
func TestAsGitKeepsDir(t *testing.T) {
	s := Source{Kind: Tarball, URL: "https://codeload.github.com/o/r/tar.gz/c", Repo: "https://github.com/o/r.git", Rev: "c", Dir: "packages/a"}
	if g := s.AsGit(); g.Kind != Git || g.URL != s.Repo || g.Dir != "packages/a" {
		t.Errorf("AsGit() = %+v", g)
	}
}
