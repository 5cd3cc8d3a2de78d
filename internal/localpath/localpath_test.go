package localpath

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// tree makes repo/.git, repo/app (the project), repo/lib, repo/app/inside,
// a secret folder beside the repository, and links between them.
func tree(t *testing.T) (top, repo, app string) {
	t.Helper()
	top, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo = filepath.Join(top, "repo")
	app = filepath.Join(repo, "app")
	for _, d := range []string{".git", "app/inside/nested", "lib", "lib-with-link", "../secret"} {
		if err := os.MkdirAll(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"app/to-secret":            "../../secret",
		"app/to-lib":               "../lib",
		"app/abs-secret":           filepath.Join(top, "secret"),
		"lib-with-link/escape":     "../../secret",
		"app/inside/nested/ok":     "../../../lib",
		"app/inside/dangling-ok":   "missing",
		"lib-with-link/../lib/own": "../lib",
		// Dangling here; the target may exist where the build runs.
		"app/dangling-out":       "../../secret/missing",
		"app/dangling-abs":       "/nonexistent-elsewhere/x",
		"app/dangling-via-link":  "to-secret/missing",
		"app/inside/dangling-in": "../../lib/missing",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(repo, name)); err != nil {
			t.Fatal(err)
		}
	}
	return top, repo, app
}

func TestRoot(t *testing.T) {
	top, repo, app := tree(t)
	for dir, want := range map[string]string{app: repo, repo: repo, filepath.Join(top, "secret"): filepath.Join(top, "secret")} {
		got, err := Root(dir)
		if err != nil || got != want {
			t.Errorf("Root(%s) = %s, %v; want %s", dir, got, err, want)
		}
	}
}

func TestCheck(t *testing.T) {
	_, repo, app := tree(t)
	cases := []struct {
		rel     string
		outside bool
	}{
		{"inside", false},
		{"../lib", false},           // a sibling in the repository
		{"to-lib", false},           // a link to a sibling
		{"inside/../../lib", false}, // dot segments that stay inside
		{"../../secret", true},      // .. out of the repository
		{"inside/../../../secret", true},
		{"to-secret", true},            // a link in the project leading out
		{"abs-secret", true},           // an absolute link
		{"to-secret/x", true},          // through a link among the parents
		{"/etc", true},                 // absolute
		{"../lib-with-link", true},     // a folder holding a link that leads out
		{"../no-such-folder", false},   // left to Nix
		{"../../no-such-folder", true}, // lexically outside, existing or not
		{"inside/nested", false},       // below a folder looked at before
		{"inside/nested/ok", false},    // a link below it, leading inside
		{"inside/nested/ok/own", false},
		{"inside/missing/x", false},
		{"to-secret/y", true},
		{"dangling-out", true}, // a link to what does not exist here, outside
		{"dangling-out/x", true},
		{"dangling-abs", true},
		{"dangling-via-link", true},
		{"inside/dangling-in", false}, // one leading inside
		{"inside/dangling-ok/x", false},
	}
	check := func(name string, c func(rel string) error) {
		for _, tc := range cases {
			err := c(tc.rel)
			var oe *OutsideError
			if got := errors.As(err, &oe); got != tc.outside {
				t.Errorf("%s(%q) = %v, want outside: %v", name, tc.rel, err, tc.outside)
			} else if !got && err != nil {
				t.Errorf("%s(%q) = %v", name, tc.rel, err)
			}
		}
	}
	check("Check", func(rel string) error { return Check(repo, app, rel) })
	// One Checker for all, which remembers the folders it looked at, in
	// both orders.
	for range 2 {
		c, err := NewChecker(repo, app)
		if err != nil {
			t.Fatal(err)
		}
		check("Checker.Check", c.Check)
		slices.Reverse(cases)
	}
}

// TestCheckSkipsInstalled: links inside the folders the caller names are
// not followed (npm's generated files leave node_modules and .git out);
// without them, they are.
func TestCheckSkipsInstalled(t *testing.T) {
	_, repo, _ := tree(t)
	for _, d := range []string{"lib/node_modules/x", "lib/.git"} {
		if err := os.MkdirAll(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("../../../../secret", filepath.Join(repo, d, "out")); err != nil {
			t.Fatal(err)
		}
	}
	if err := Check(repo, filepath.Join(repo, "app"), "../lib", "node_modules", ".git"); err != nil {
		t.Errorf("Check = %v, want nil", err)
	}
	var oe *OutsideError
	if err := Check(repo, filepath.Join(repo, "app"), "../lib"); !errors.As(err, &oe) {
		t.Errorf("Check without skips = %v, want an OutsideError", err)
	}
}
