package pins

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

const (
	commitA = "0123456789abcdef0123456789abcdef01234567"
	commitB = "89abcdef0123456789abcdef0123456789abcdef"
	sha512  = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
	sha256  = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	sha1    = "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk="
	md5     = "md5-1B2M2Y8AsgTpgAmY7PhCfg=="
)

// canonical is a file as Encode writes it.
var canonical = header + `
[pins]
dev = "` + commitA + `"
"ocaml.lib" = "` + commitB + `"

[git]
"file:///tmp/repo" = "` + commitA + `"
"https://github.com/ocaml/ocamlbuild.git#without-examples" = "` + commitB + `"

[tarball]
"https://example.org/b.tar.gz" = { hash = "` + sha256 + `", weak = "` + md5 + `" }
"https://registry.npm.test/a/-/a-1.0.0.tgz" = { hash = "` + sha512 + `" }
"https://x.test/q?\"\\" = { hash = "` + sha512 + `" }

[archive]
"https://codeload.github.com/o/r/tar.gz/` + commitA + `" = "` + sha256 + `"
`

func TestRoundTrip(t *testing.T) {
	f, err := Parse("pins.toml", []byte(canonical))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Encode(&b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(canonical, b.String()); diff != "" {
		t.Errorf("Encode(Parse(file)) (-want +got):\n%s", diff)
	}
}

// The first pins files had one [pins] table of names and commits, which
// still reads the same.
func TestOldForm(t *testing.T) {
	f, err := Parse("pins.toml", []byte("[pins]\npiaf = \""+commitA+"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := New()
	want.Names["piaf"] = commitA
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"syntax", "[pins\n", "p.toml: toml: line 2"},
		{"unknown table", "[pin]\na = \"" + commitA + "\"\n", `p.toml: unknown key pin: want [pins], [git], [tarball] or [archive] entries`},
		{"short commit", "[pins]\na = \"0123abc\"\n", `p.toml: [pins] a = "0123abc" is not a full commit id`},
		// A key is shown as the file writes it (quoted when not bare):
		// one that holds a newline must not start a message line of its own.
		{"short commit, quoted key", "[pins]\n\"a\\nlock2nix: forged\" = \"0123abc\"\n", `p.toml: [pins] "a\u000Alock2nix: forged" = "0123abc" is not a full commit id`},
		{"git branch", "[git]\n\"https://x.test/a.git\" = \"main\"\n", `p.toml: [git] "https://x.test/a.git" = "main" is not a full commit id`},
		{"weak pin", "[tarball]\n\"https://x.test/a.tgz\" = { hash = \"" + sha1 + "\" }\n", `p.toml: [tarball] "https://x.test/a.tgz": hash sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk= is weak: want sha256 or stronger`},
		{"weak archive", "[archive]\n\"https://x.test/a\" = \"" + md5 + "\"\n", `p.toml: [archive] "https://x.test/a": hash md5-1B2M2Y8AsgTpgAmY7PhCfg== is weak: want sha256 or stronger`},
		{"bad archive hash", "[archive]\n\"https://x.test/a\" = \"sha256-abc\"\n", `p.toml: [archive] "https://x.test/a": invalid hash "sha256-abc"`},
		{"archive as a table", "[archive]\n\"https://x.test/a\" = { hash = \"" + sha256 + "\" }\n", `p.toml: toml: line 2`},
		{"bad hash", "[tarball]\n\"https://x.test/a.tgz\" = { hash = \"sha512-abc\" }\n", `p.toml: [tarball] "https://x.test/a.tgz": hash: invalid hash "sha512-abc": digest is not base64`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("p.toml", []byte(tc.in))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func mustSRI(s string) lockfile.Hash {
	h, err := lockfile.ParseSRI(s)
	if err != nil {
		panic(err)
	}
	return h
}

func TestApply(t *testing.T) {
	f, err := Parse("pins.toml", []byte(canonical))
	if err != nil {
		t.Fatal(err)
	}
	f.Names["gone"] = commitA
	srcs := []lockfile.Source{
		// [pins] wins over a commit in the lock.
		{Kind: lockfile.Git, URL: "https://git.test/dev.git", Rev: commitB},
		// [git] by URL and branch.
		{Kind: lockfile.Git, URL: "https://github.com/ocaml/ocamlbuild.git", Rev: "without-examples"},
		// [git] by URL, no ref.
		{Kind: lockfile.Git, URL: "file:///tmp/repo"},
		// The lock's md5 matches the pin's: upgraded.
		{Kind: lockfile.Tarball, URL: "https://example.org/b.tar.gz", Hash: mustSRI(md5)},
		// No hash: pinned.
		{Kind: lockfile.Tarball, URL: "https://registry.npm.test/a/-/a-1.0.0.tgz"},
		// The lock's own strong hash stays; the pin is unused.
		{Kind: lockfile.Tarball, URL: `https://x.test/q?"\`, Hash: mustSRI(sha256)},
		// A GitHub archive: [archive] by URL.
		{Kind: lockfile.Tarball, URL: "https://codeload.github.com/o/r/tar.gz/" + commitA, Repo: "https://github.com/o/r.git", Rev: commitA},
	}
	sites := []Site{
		{ID: "dev.dev", Name: "dev", Source: &srcs[0]},
		{ID: "ocamlbuild.dev", Name: "ocamlbuild", Source: &srcs[1]},
		{ID: "x", Source: &srcs[2]},
		{ID: "b", Name: "b", Source: &srcs[3]},
		{ID: "a@1.0.0", Name: "a", Source: &srcs[4]},
		{ID: "q", Name: "q", Source: &srcs[5]},
		{ID: "r", Name: "r", Source: &srcs[6]},
	}
	unused := f.Apply(sites)
	want := []lockfile.Source{
		{Kind: lockfile.Git, URL: "https://git.test/dev.git", Rev: commitA, FromPins: true},
		{Kind: lockfile.Git, URL: "https://github.com/ocaml/ocamlbuild.git", Rev: commitB, FromPins: true},
		{Kind: lockfile.Git, URL: "file:///tmp/repo", Rev: commitA, FromPins: true},
		{Kind: lockfile.Tarball, URL: "https://example.org/b.tar.gz", Hash: mustSRI(sha256), FromPins: true},
		{Kind: lockfile.Tarball, URL: "https://registry.npm.test/a/-/a-1.0.0.tgz", Hash: mustSRI(sha512), FromPins: true},
		{Kind: lockfile.Tarball, URL: `https://x.test/q?"\`, Hash: mustSRI(sha256)},
		{Kind: lockfile.Tarball, URL: "https://codeload.github.com/o/r/tar.gz/" + commitA, Repo: "https://github.com/o/r.git", Rev: commitA, Hash: mustSRI(sha256), FromPins: true},
	}
	if diff := cmp.Diff(want, srcs); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	wantUnused := []Entry{{"pins", "gone"}, {"pins", "ocaml.lib"}, {"tarball", `https://x.test/q?"\`}}
	if diff := cmp.Diff(wantUnused, unused); diff != "" {
		t.Errorf("unused (-want +got):\n%s", diff)
	}
	if got, want := unused[2].String(), `[tarball] "https://x.test/q?\"\\"`; got != want {
		t.Errorf("Entry.String() = %s, want %s", got, want)
	}
}

// A weak hash other than the one a pin was checked against leaves the
// source as the lock says.
func TestApplyOtherWeakHash(t *testing.T) {
	f := New()
	f.Tarballs["https://x.test/a.tgz"] = Tarball{Hash: mustSRI(sha256), Weak: mustSRI(md5)}
	src := lockfile.Source{Kind: lockfile.Tarball, URL: "https://x.test/a.tgz", Hash: mustSRI(sha1)}
	unused := f.Apply([]Site{{ID: "a", Source: &src}})
	if !src.Hash.Equal(mustSRI(sha1)) || src.FromPins {
		t.Errorf("source changed: %+v", src)
	}
	if len(unused) != 1 {
		t.Errorf("unused = %v, want the one entry", unused)
	}
}

// A git host's archive of a commit takes its hash (of its files) from
// [archive] by the archive's URL, never from [tarball] (a hash of its
// bytes, which the fetch of its files would fail on); a [pins] name pin
// turns it into the git source at the pinned commit instead.
func TestApplyGitHubArchive(t *testing.T) {
	const archive = "https://codeload.github.com/o/r/tar.gz/" + commitA
	at := lockfile.Pos{File: "yarn.lock", Line: 3, Col: 12}
	lock := lockfile.Source{Kind: lockfile.Tarball, URL: archive, Repo: "https://github.com/o/r.git", Rev: commitA, Origin: at}
	f := New()
	f.Archives[archive] = mustSRI(sha256)
	f.Tarballs[archive] = Tarball{Hash: mustSRI(sha512)}
	hashed, named := lock, lock
	if unused := f.Apply([]Site{{ID: "r@1.0.0", Name: "r", Source: &hashed}}); !slices.Equal(unused, []Entry{{"tarball", archive}}) {
		t.Errorf("unused = %v, want the [tarball] entry", unused)
	}
	want := lock
	want.Hash, want.FromPins = mustSRI(sha256), true
	if diff := cmp.Diff(want, hashed); diff != "" {
		t.Errorf("with [archive] (-want +got):\n%s", diff)
	}
	f.Names["r"] = commitB
	if unused := f.Apply([]Site{{ID: "r@1.0.0", Name: "r", Source: &named}}); !slices.Equal(unused, []Entry{{"tarball", archive}, {"archive", archive}}) {
		t.Errorf("unused = %v, want the [tarball] and [archive] entries", unused)
	}
	if diff := cmp.Diff(lockfile.Source{Kind: lockfile.Git, URL: "https://github.com/o/r.git", Rev: commitB, Origin: at, FromPins: true}, named); diff != "" {
		t.Errorf("with [pins] (-want +got):\n%s", diff)
	}
	// An [archive] pin leaves any other archive at its URL alone.
	plain := lockfile.Source{Kind: lockfile.Tarball, URL: archive}
	g := New()
	g.Archives[archive] = mustSRI(sha256)
	if unused := g.Apply([]Site{{ID: "p", Source: &plain}}); !slices.Equal(unused, []Entry{{"archive", archive}}) || !plain.Hash.IsZero() {
		t.Errorf("a plain archive took the [archive] pin: unused = %v, source %+v", unused, plain)
	}
}

// TestApplyGitFolder: a [pins] commit for a package that is a folder of a
// git repository (npm's "#COMMIT::path:DIR") replaces the commit and
// keeps the folder.
func TestApplyGitFolder(t *testing.T) {
	f := New()
	f.Names["a"] = commitB
	src := lockfile.Source{Kind: lockfile.Git, URL: "https://git.test/m.git", Rev: commitA, Dir: "packages/a"}
	if unused := f.Apply([]Site{{ID: "a@1.0.0", Name: "a", Source: &src}}); len(unused) != 0 {
		t.Errorf("unused: %v", unused)
	}
	if src.Rev != commitB || !src.FromPins || src.Dir != "packages/a" || src.Kind != lockfile.Git {
		t.Errorf("got %+v, want the pinned commit and the folder", src)
	}
}
