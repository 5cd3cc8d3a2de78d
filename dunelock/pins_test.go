package dunelock

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

// A pin applies to a git source whatever its URL's "#" names; without
// one, a source without a commit is returned unpinned, its ref in Rev.
func TestGitPins(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name, url string
		pins      map[string]string
		want      lockfile.Source
		wantErr   string
	}{
		{"no ref", "git+https://x.test/a.git", nil, lockfile.Source{Kind: lockfile.Git, URL: "https://x.test/a.git"}, ""},
		{"branch", "git+https://x.test/a.git#without-examples", nil, lockfile.Source{Kind: lockfile.Git, URL: "https://x.test/a.git", Rev: "without-examples"}, ""},
		{"pin over nothing", "git+https://x.test/a.git", map[string]string{"a": commit}, lockfile.Source{Kind: lockfile.Git, URL: "https://x.test/a.git", Rev: commit}, ""},
		{"pin over a branch", "git+https://x.test/a.git#without-examples", map[string]string{"a": commit}, lockfile.Source{Kind: lockfile.Git, URL: "https://x.test/a.git", Rev: commit}, ""},
		{"bad pin", "git+https://x.test/a.git#main", map[string]string{"a": "main"}, lockfile.Source{}, `dune.lock/a.pkg:3:21: the pin of a, "main", is not a full commit id`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"dune.lock/lock.dune": {Data: []byte("(lang package 0.1)\n")},
				"dune.lock/a.pkg":     {Data: []byte("(version dev)\n(dev)\n(source (fetch (url " + tc.url + ")))\n")},
			}
			lock, err := ParseFS(fsys, DefaultDir, Options{Pins: tc.pins})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("got %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := lock.Graph.Packages[0].Source
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.Pinned() != lockfile.IsCommit(tc.want.Rev) {
				t.Errorf("Pinned() = %v", got.Pinned())
			}
		})
	}
}
