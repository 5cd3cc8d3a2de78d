package npm

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

// TestGitHubArchive: a GitHub archive that a pin hashes is fetched as
// the archive and recorded as a git source to unpack from it (schema 2);
// one without a hash (lock2nix --allow-unpinned) is the git commit,
// written as a git source always was (schema 1, the same bytes).
func TestGitHubArchive(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	const archiveURL = "https://codeload.github.com/o/r/tar.gz/" + commit
	h, err := lockfile.ParseIntegrity("sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==")
	if err != nil {
		t.Fatal(err)
	}
	archive := lockfile.Source{Kind: lockfile.Tarball, URL: archiveURL, Repo: "https://github.com/o/r.git", Rev: commit,
		Origin: lockfile.Pos{File: "package-lock.json", Line: 9, Col: 19}}
	emit := func(src lockfile.Source) string {
		g := &lockfile.Graph{Root: lockfile.Root{Name: "p", Version: "1.0.0", Deps: []lockfile.Edge{{Name: "r", Kind: lockfile.DepProd, Spec: "github:o/r"}}},
			Packages: []*lockfile.Package{{ID: "r@1.0.0", Name: "r", Version: "1.0.0", Source: src, Installs: []lockfile.Install{{Path: "node_modules/r"}}}}}
		var b bytes.Buffer
		if err := Emit(&b, g, header); err != nil {
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
		`"r@1.0.0": {"source":"git","gitArchive":true,"installs":{"node_modules/r":[]}}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the file with a hashed archive lacks %s:\n%s", want, got)
		}
	}

	if d := cmp.Diff(emit(archive.AsGit()), emit(archive)); d != "" {
		t.Errorf("an archive without a hash is not written as its git source (-git +archive):\n%s", d)
	}
	if got := emit(archive); !strings.Contains(got, "schema = 1;") || strings.Contains(got, "codeload") {
		t.Errorf("an archive without a hash:\n%s", got)
	}
}
