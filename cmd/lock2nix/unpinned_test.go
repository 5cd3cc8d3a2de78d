package main

import (
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/pins"
)

// TestUnpinnedErrorWording: the stops and hints speak of one source, or
// one archive, in the singular and of several in the plural.
func TestUnpinnedErrorWording(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	archive := func(name string) pins.Site {
		return pins.Site{ID: name + "@1", Name: name, Source: &lockfile.Source{Kind: lockfile.Tarball,
			URL: "https://codeload.github.com/o/" + name + "/tar.gz/" + commit, Repo: "https://github.com/o/" + name + ".git", Rev: commit}}
	}
	branch := func(name string) pins.Site {
		return pins.Site{ID: name + "@1", Name: name, Source: &lockfile.Source{Kind: lockfile.Git, URL: "https://git.test/" + name + ".git", Rev: "main"}}
	}
	for _, tc := range []struct {
		name          string
		sites         []pins.Site
		want, wantNot []string
	}{
		{"one archive", []pins.Site{archive("a")},
			[]string{"1 GitHub git source is fetched", `to record the archive's hash in lock2nix-pins.toml (it downloads it from GitHub); or pass --allow-unpinned to fetch it with builtins.fetchGit`},
			[]string{"archives", "them"}},
		{"two archives", []pins.Site{archive("a"), archive("b")},
			[]string{"2 GitHub git sources are fetched", `to record the archives' hashes in lock2nix-pins.toml (it downloads them from GitHub); or pass --allow-unpinned to fetch them with builtins.fetchGit`},
			[]string{"archive's", " it "}},
		{"one source", []pins.Site{branch("a")},
			[]string{"1 source has no hash or commit in the lockfile or the pins file, so Nix cannot fetch it reproducibly:", `run "lock2nix npm --prefetch" to record it in lock2nix-pins.toml`},
			[]string{"them"}},
		{"two sources", []pins.Site{branch("a"), branch("b")},
			[]string{"2 sources have no hash or commit in the lockfile or the pins file, so Nix cannot fetch them reproducibly:", `run "lock2nix npm --prefetch" to record them in lock2nix-pins.toml`},
			[]string{" it "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := unpinnedError("lock2nix npm --prefetch", tc.sites, false, false)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the message lacks %q:\n%s", w, err)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(err.Error(), w) {
					t.Errorf("the message has %q:\n%s", w, err)
				}
			}
		})
	}
}
