package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

func tarball(url string, algo lockfile.Algo) lockfile.Source {
	s := lockfile.Source{Kind: lockfile.Tarball, URL: url}
	if algo != lockfile.NoAlgo {
		s.Hash = lockfile.Hash{Algo: algo, Digest: make([]byte, algo.Size())}
	}
	return s
}

// TestStrict: --strict passes only when every source is pinned strongly by
// the lock or by the user, and nothing is out of sync.
func TestStrict(t *testing.T) {
	git := &lockfile.Package{ID: "g@1", Name: "g", Source: lockfile.Source{Kind: lockfile.Git, URL: "https://git.test/g.git", Rev: commit}}
	strong := &lockfile.Package{ID: "a@1", Name: "a", Source: tarball("https://r.test/a.tgz", lockfile.SHA512)}
	weak := &lockfile.Package{ID: "b@1", Name: "b", Source: tarball("https://r.test/b.tgz", lockfile.SHA1)}
	pinnedGit := &lockfile.Package{ID: "g@1", Name: "g", Source: lockfile.Source{Kind: lockfile.Git, URL: "https://git.test/g.git", Rev: commit, FromPins: true}}
	pinned := &lockfile.Package{ID: "c@1", Name: "c", Source: tarball("https://r.test/c.tgz", lockfile.SHA512)}
	pinned.Source.FromPins = true
	for _, c := range []struct {
		name string
		pkgs []*lockfile.Package
		f    Facts
		want bool
	}{
		{"strong", []*lockfile.Package{strong, git}, Facts{}, true},
		{"sha1", []*lockfile.Package{strong, weak}, Facts{}, false},
		{"git pinned by the user", []*lockfile.Package{pinnedGit}, Facts{}, true},
		{"tarball pinned by the pins file", []*lockfile.Package{pinned}, Facts{}, true},
		{"md5 extra source", []*lockfile.Package{strong}, Facts{Extra: []Extra{{"a@1", "x", tarball("https://r.test/x", lockfile.MD5)}}}, false},
		{"out of sync", []*lockfile.Package{strong}, Facts{OutOfSync: []string{"a is missing"}}, false},
	} {
		if got := New(&lockfile.Graph{Packages: c.pkgs}, c.f).Strict(); got != c.want {
			t.Errorf("%s: Strict() = %t, want %t", c.name, got, c.want)
		}
	}
}

// TestSourcesCountedOnce: packages sharing a source count it once, and
// weak pins list it under the first; hosts and git sources list every
// package; bundled packages and packages without a source count none.
func TestSourcesCountedOnce(t *testing.T) {
	shared := tarball("https://mirror.test/s.tgz", lockfile.NoAlgo)
	g := &lockfile.Graph{Packages: []*lockfile.Package{
		{ID: "s@1", Name: "s", Source: shared},
		{ID: "s@1-b", Name: "s", Source: shared},
		{ID: "n@1", Name: "n", Source: lockfile.Source{Kind: lockfile.Bundled}},
		{ID: "d@1", Name: "d", Source: lockfile.Source{Kind: lockfile.Directory, Path: "d"}},
		{ID: "g.1", Name: "g", Source: lockfile.Source{Kind: lockfile.Git, URL: "https://git.test/r.git", Rev: commit}},
		{ID: "h.1", Name: "h", Source: lockfile.Source{Kind: lockfile.Git, URL: "https://git.test/r.git", Rev: commit}},
	}}
	r := New(g, Facts{Registry: "r.test"})
	want := Counts{Packages: 6, Sources: Sources{Total: 3, URL: 1, Git: 1, Local: 1}, Hashes: Hashes{None: 1}}
	if diff := cmp.Diff(want, r.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Git{{"g.1", "https://git.test/r.git", commit, "lock", "", ""}, {"h.1", "https://git.test/r.git", commit, "lock", "", ""}}, r.Git); diff != "" {
		t.Errorf("git (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Host{{"git.test", []string{"g.1", "h.1"}}, {"mirror.test", []string{"s@1", "s@1-b"}}}, r.Hosts); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Unpinned{{"s@1", shared.URL, "no hash", ""}}, r.Unpinned); diff != "" {
		t.Errorf("unpinned (-want +got):\n%s", diff)
	}
}

// TestWriteTextOneLine: the text report of a lock whose names, paths and
// out-of-sync lines hold newlines and terminal escapes is the report of
// one holding their escaped forms: one entry a line, nothing that drives
// a terminal. URLs too (which then name no host of their own).
func TestWriteTextOneLine(t *testing.T) {
	report := func(s, u string) string {
		g := &lockfile.Graph{Packages: []*lockfile.Package{
			{ID: "a" + s + "@1", Name: "a" + s, Source: tarball("https://mirror.test/a"+u+".tgz", lockfile.SHA1)},
			{ID: "g" + s + "@1", Name: "g", Source: lockfile.Source{Kind: lockfile.Git, URL: "https://git.test/g" + u + ".git"}},
		}}
		var b strings.Builder
		r := New(g, Facts{Ecosystem: "npm", Lock: "p" + s + "/package-lock.json", Registry: "registry.npm.test", OutOfSync: []string{"package.json:1:2: b" + s + "@^1: not in the lockfile"}, Damaged: []string{"node_modules/d" + s}})
		if err := r.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, h := range []struct{ name, value, escaped string }{
		{"newline forging a message", "\nerror: forged", `\nerror: forged`},
		{"carriage return", "\rerror: forged", `\rerror: forged`},
		{"terminal escape", "\x1b[31mred", `\x1b[31mred`},
	} {
		t.Run(h.name, func(t *testing.T) {
			got, want := report(h.value, ""), report(h.escaped, "")
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-escaped +hostile):\n%s", diff)
			}
			if !strings.Contains(want, "a"+h.escaped+"@1") {
				t.Fatalf("the report does not name the package:\n%s", want)
			}
			got = report(h.value, h.value)
			if n, want := strings.Count(got, "\n"), strings.Count(want, "\n"); n != want {
				t.Errorf("with hostile URLs, %d lines, want %d:\n%s", n, want, got)
			}
			if strings.ContainsFunc(got, func(r rune) bool { return r != '\n' && (r < ' ' || r == 0x7f) }) {
				t.Errorf("with hostile URLs, a control character:\n%q", got)
			}
			if !strings.Contains(got, "https://mirror.test/a"+h.escaped+".tgz") {
				t.Errorf("with hostile URLs, the URL is not shown escaped:\n%s", got)
			}
		})
	}
}

// TestGitHubArchive: a git host's archive of a commit (npm's and yarn's
// GitHub dependencies) counts once, as a git source, and as what is
// fetched, an archive from another host with its hash (of its files,
// sha256 as Nix hashes a folder); it is listed under the git sources with
// its repository, the commit and the archive whose files are fetched;
// other git sources have no archive, and their JSON no key for it.
func TestGitHubArchive(t *testing.T) {
	archive := lockfile.Source{Kind: lockfile.Tarball, URL: "https://codeload.github.com/o/r/tar.gz/" + commit, Repo: "https://github.com/o/r.git", Rev: commit,
		Hash: lockfile.Hash{Algo: lockfile.SHA256, Digest: make([]byte, 32)}, FromPins: true}
	g := &lockfile.Graph{Packages: []*lockfile.Package{
		{ID: "a@1", Name: "a", Source: archive},
		{ID: "b@1", Name: "b", Source: archive},
		{ID: "c@1", Name: "c", Source: lockfile.Source{Kind: lockfile.Git, URL: "https://git.test/c.git", Rev: commit}},
	}}
	r := New(g, Facts{Registry: "registry.npm.test"})
	want := Counts{Packages: 3, Sources: Sources{Total: 2, Git: 2}, Hashes: Hashes{SHA256: 1}}
	if diff := cmp.Diff(want, r.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	wantGit := []Git{
		{"a@1", "https://github.com/o/r.git", commit, "lock", archive.URL, ""},
		{"b@1", "https://github.com/o/r.git", commit, "lock", archive.URL, ""},
		{"c@1", "https://git.test/c.git", commit, "lock", "", ""},
	}
	if diff := cmp.Diff(wantGit, r.Git); diff != "" {
		t.Errorf("git (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Host{{"codeload.github.com", []string{"a@1", "b@1"}}, {"git.test", []string{"c@1"}}}, r.Hosts); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
	var text, js strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	mustHave := "  a@1: https://github.com/o/r.git at " + commit + " (commit from the lock), fetched as the files of its archive " + archive.URL + "\n"
	if !strings.Contains(text.String(), mustHave) {
		t.Errorf("the text report lacks %q:\n%s", mustHave, text.String())
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(js.String(), `"archive": `); n != 2 {
		t.Errorf("%d archive keys in the JSON, want 2 (the git source has none):\n%s", n, js.String())
	}
}

// TestGitFolder: packages that are folders of one git commit (npm's
// "#COMMIT::path:DIR") count as one source, fetched once, and each is
// listed with its folder, in the text and in the JSON; a commit a pin
// gives keeps the folder.
func TestGitFolder(t *testing.T) {
	const other = "89abcdef0123456789abcdef0123456789abcdef"
	src := func(dir string) lockfile.Source {
		return lockfile.Source{Kind: lockfile.Git, URL: "https://git.test/m.git", Rev: commit, Dir: dir}
	}
	pinned := src("packages/c")
	pinned.Rev, pinned.FromPins = other, true
	g := &lockfile.Graph{Packages: []*lockfile.Package{
		{ID: "a@1", Name: "a", Source: src("packages/a")},
		{ID: "b@1", Name: "b", Source: src("packages/b")},
		{ID: "c@1", Name: "c", Source: pinned},
		{ID: "m@1", Name: "m", Source: src("")},
	}}
	r := New(g, Facts{Registry: "registry.npm.test"})
	if want := (Sources{Total: 2, Git: 2}); r.Counts.Sources != want {
		t.Errorf("sources %+v, want %+v", r.Counts.Sources, want)
	}
	wantGit := []Git{
		{"a@1", "https://git.test/m.git", commit, "lock", "", "packages/a"},
		{"b@1", "https://git.test/m.git", commit, "lock", "", "packages/b"},
		{"c@1", "https://git.test/m.git", other, "pin", "", "packages/c"},
		{"m@1", "https://git.test/m.git", commit, "lock", "", ""},
	}
	if diff := cmp.Diff(wantGit, r.Git); diff != "" {
		t.Errorf("git (-want +got):\n%s", diff)
	}
	var text, js strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"  a@1: https://git.test/m.git at " + commit + " (commit from the lock), its folder packages/a\n",
		"  c@1: https://git.test/m.git at " + other + " (commit from the pin), its folder packages/c\n",
		"  m@1: https://git.test/m.git at " + commit + " (commit from the lock)\n",
	} {
		if !strings.Contains(text.String(), line) {
			t.Errorf("the text report lacks %q:\n%s", line, text.String())
		}
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(js.String(), `"dir": "packages/`); n != 3 {
		t.Errorf("%d dir keys in the JSON, want 3 (the whole repository has none):\n%s", n, js.String())
	}
}
