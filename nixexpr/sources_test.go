package nixexpr_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/lockfile"
	. "github.com/lock2nix/lock2nix/nixexpr"
)

// TestArchiveSources: a GitHub archive that a pin hashes is fetched
// unpacked, { url; hash; unpack = "tar.gz"; } in the data, which
// sources.nix hands to fetchzip with the hash and the extension; the same
// URL as a plain archive (a hash of its bytes) is another fetch; an
// archive without a hash is not unpacked. Without fetchzip, evaluating
// such a source says what to pass.
func TestArchiveSources(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	const url = "https://codeload.github.com/o/r/tar.gz/" + commit
	nar, err := lockfile.ParseSRI("sha256-h4gyzSK14DjhF7cBN4VY+Km2ytc4Gg5tV6noZdNPhaY=")
	if err != nil {
		t.Fatal(err)
	}
	flat, err := lockfile.ParseSRI("sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==")
	if err != nil {
		t.Fatal(err)
	}
	archive := lockfile.Source{Kind: lockfile.Tarball, URL: url, Hash: nar, Repo: "https://github.com/o/r.git", Rev: commit}
	s := NewSources(0)
	for _, c := range []struct {
		name string
		src  lockfile.Source
		want string
	}{
		{"a", archive, "a"},
		{"b", archive, "a"},
		{"plain", lockfile.Source{Kind: lockfile.Tarball, URL: url, Hash: flat}, "plain"},
	} {
		if got, err := s.Add(c.name, c.src); err != nil || got != c.want {
			t.Errorf("Add(%s) = %q, %v, want %q", c.name, got, err, c.want)
		}
	}
	if Unpacked(lockfile.Source{Kind: lockfile.Tarball, URL: url, Repo: archive.Repo, Rev: commit}) {
		t.Error("an archive without a hash is Unpacked")
	}
	data, err := Format(s.Data())
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  a = {
    url = "` + url + `";
    hash = "` + nar.String() + `";
    unpack = "tar.gz";
  };
  plain = {
    url = "` + url + `";
    hash = "` + flat.String() + `";
  };
}`
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}

	nixtest.Need(t)
	path := filepath.Join(t.TempDir(), "sources.nix")
	if err := os.WriteFile(path, []byte(SourcesNix), 0o644); err != nil {
		t.Fatal(err)
	}
	fetchers := `fetchurl = a: { fetchurl = a; }; fetchGit = a: { fetchGit = a; }; fetchurlUnpinned = u: { unpinned = u; };`
	out, err := nixtest.Eval(`builtins.mapAttrs (_: import ` + path + ` { ` + fetchers + ` fetchzip = a: { fetchzip = a; }; }) (` + string(data) + `)`)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var got map[string]map[string]map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	wantCalls := map[string]map[string]map[string]string{
		"a":     {"fetchzip": {"url": url, "hash": nar.String(), "extension": "tar.gz"}},
		"plain": {"fetchurl": {"url": url, "hash": flat.String()}},
	}
	if diff := cmp.Diff(wantCalls, got); diff != "" {
		t.Errorf("fetchers called (-want +got):\n%s", diff)
	}
	out, err = nixtest.Eval(`(import ` + path + ` { ` + fetchers + ` }) (` + string(data) + `).a`)
	if err == nil || !strings.Contains(string(out), "is fetched with nixpkgs' fetchzip: pass fetchzip") {
		t.Errorf("without fetchzip: %v: %s", err, out)
	}
}

// TestSourcesAddFindsEach adds sources with repeated URLs, some unpacked,
// some git at the same URL, to collections sized too small and right,
// and checks each Add against the identity a map would keep: the first
// name added for a source is given back for it, and a new source is
// added once.
func TestSourcesAddFindsEach(t *testing.T) {
	h, err := lockfile.ParseIntegrity("sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==")
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	for _, size := range []int{0, 1, n / 10, n} {
		s := NewSources(size)
		first := map[string]string{}
		added := 0
		for i := range n {
			u := fmt.Sprintf("https://registry.npm.test/p%d/-/p%d-1.0.0.tgz", i%997, i%997)
			src := lockfile.Source{Kind: lockfile.Tarball, URL: u, Hash: h}
			key := "tarball " + u
			switch i % 5 {
			case 1:
				src.Repo, key = "github.com/o/r", "unpacked "+u
			case 2:
				src = lockfile.Source{Kind: lockfile.Git, URL: u, Rev: "0123456789abcdef0123456789abcdef01234567"}
				key = "git " + u
			}
			name := fmt.Sprintf("n%d", i)
			want, seen := first[key]
			if !seen {
				first[key], want = name, name
			}
			got, err := s.Add(name, src)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("size %d: Add #%d (%s) = %q, want %q", size, i, key, got, want)
			}
			if got == name {
				added++
			}
		}
		if n := len(s.Bindings()); n != added || n != len(first) {
			t.Errorf("size %d: %d sources added (%d new names), want %d", size, n, added, len(first))
		}
	}
}
