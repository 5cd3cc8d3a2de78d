package npm

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

// TestGitHubArchive: a GitHub archive that a pin hashes (the NAR hash of
// its files) is fetched unpacked, with fetchzip, and recorded as a git
// source, whose files the fetch is (schema 2; a --standalone file takes
// fetchzip); one without a hash (lock2nix --allow-unpinned) is the git
// commit, written as a git source always was (schema 1, the same bytes).
func TestGitHubArchive(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	const archiveURL = "https://codeload.github.com/o/r/tar.gz/" + commit
	h, err := lockfile.ParseSRI("sha256-h4gyzSK14DjhF7cBN4VY+Km2ytc4Gg5tV6noZdNPhaY=")
	if err != nil {
		t.Fatal(err)
	}
	archive := lockfile.Source{Kind: lockfile.Tarball, URL: archiveURL, Repo: "https://github.com/o/r.git", Rev: commit,
		Origin: lockfile.Pos{File: "package-lock.json", Line: 9, Col: 19}}
	graph := func(src lockfile.Source) *lockfile.Graph {
		return &lockfile.Graph{Root: lockfile.Root{Name: "p", Version: "1.0.0", Deps: []lockfile.Edge{{Name: "r", Kind: lockfile.DepProd, Spec: "github:o/r"}}},
			Packages: []*lockfile.Package{{ID: "r@1.0.0", Name: "r", Version: "1.0.0", Source: src, Installs: []lockfile.Install{{Path: "node_modules/r"}}}}}
	}
	emit := func(src lockfile.Source) string {
		var b bytes.Buffer
		if err := Emit(&b, graph(src), header); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	standalone := func(src lockfile.Source) string {
		var b bytes.Buffer
		if err := EmitStandalone(&b, graph(src), header); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}

	hashed := archive
	hashed.Hash, hashed.FromPins = h, true
	got := emit(hashed)
	for _, want := range []string{
		`schema = 2;`,
		`url = "` + archiveURL + `";`,
		`hash = "` + h.String() + `";`,
		`unpack = "tar.gz";`,
		`"r@1.0.0": {"source":"git","installs":{"node_modules/r":[]}}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the file with a hashed archive lacks %s:\n%s", want, got)
		}
	}
	if got := standalone(hashed); !strings.Contains(got, "\n  fetchzip,\n") {
		t.Errorf("the standalone file with a hashed archive takes no fetchzip:\n%.600s", got)
	}
	if got := standalone(archive); strings.Contains(got, "\n  fetchzip,\n") {
		t.Errorf("the standalone file without an archive takes fetchzip:\n%.600s", got)
	}

	if d := cmp.Diff(emit(archive.AsGit()), emit(archive)); d != "" {
		t.Errorf("an archive without a hash is not written as its git source (-git +archive):\n%s", d)
	}
	if got := emit(archive); !strings.Contains(got, "schema = 1;") || strings.Contains(got, "codeload") {
		t.Errorf("an archive without a hash:\n%s", got)
	}
}
