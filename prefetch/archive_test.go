package prefetch

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/internal/fetchtest"
	"github.com/lock2nix/lock2nix/internal/nar"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/pins"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

// member is one entry of a test archive.
type member struct {
	name string
	typ  byte
	mode int64
	body string // a file's bytes, a link's target
}

func file(name, body string) member { return member{name, tar.TypeReg, 0o664, body} }
func exe(name, body string) member  { return member{name, tar.TypeReg, 0o775, body} }
func dir(name string) member        { return member{name, tar.TypeDir, 0o775, ""} }
func link(name, to string) member   { return member{name, tar.TypeSymlink, 0o777, to} }

// targz makes a gzipped tar of ms, which starts, as GitHub's and git
// archive's do, with a global header that holds the commit.
func targz(t testing.TB, ms ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": commit}}); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Mode: m.mode, ModTime: time.Unix(1700000000, 0), Format: tar.FormatPAX}
		switch m.typ {
		case tar.TypeReg:
			h.Size = int64(len(m.body))
		case tar.TypeSymlink, tar.TypeLink:
			h.Linkname = m.body
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if m.typ == tar.TypeReg {
			tw.Write([]byte(m.body))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return b.Bytes()
}

// github is an archive as GitHub makes one: a top folder REPO-COMMIT,
// files of modes 664 and 775, links, an empty folder, a hard link.
func github(t testing.TB) []byte {
	top := "r-" + commit + "/"
	return targz(t,
		dir(top),
		file(top+"package.json", `{"name": "r", "version": "1.0.0", "bin": "bin/r"}`),
		dir(top+"bin/"),
		exe(top+"bin/r", "#!/usr/bin/env node\n"),
		link(top+"bin/self", "r"),
		link(top+"docs", "lib/docs"),
		dir(top+"lib/"),
		file(top+"lib/index.js", "module.exports = 1;\n"),
		dir(top+"lib/docs/"),
		dir(top+"empty/"),
		file(top+"lib/docs/é 日本.md", "unicode\n"),
		member{top + "lib/again.js", tar.TypeLink, 0o664, top + "lib/index.js"},
		link(top+"dangling", "lib/nowhere"),
	)
}

// listing describes the tree at root: a line per entry, "path kind …".
func listing(t testing.TB, root string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch m := fi.Mode(); {
		case m&os.ModeSymlink != 0:
			to, _ := os.Readlink(p)
			out = append(out, rel+" -> "+to)
		case m.IsDir():
			out = append(out, rel+"/")
		default:
			data, _ := os.ReadFile(p)
			x := ""
			if m.Perm()&0o100 != 0 {
				x = " (x)"
			}
			out = append(out, rel+x+" "+string(data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestArchiveUnpack: a GitHub archive's files, its top folder stripped,
// executable as the archive says.
func TestArchiveUnpack(t *testing.T) {
	dir := t.TempDir()
	if err := unpackArchive(bytes.NewReader(github(t)), dir); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"./",
		"bin/",
		"bin/r (x) #!/usr/bin/env node\n",
		"bin/self -> r",
		"dangling -> lib/nowhere",
		"docs -> lib/docs",
		"empty/",
		"lib/",
		"lib/again.js module.exports = 1;\n",
		"lib/docs/",
		"lib/docs/é 日本.md unicode\n",
		"lib/index.js module.exports = 1;\n",
		`package.json {"name": "r", "version": "1.0.0", "bin": "bin/r"}`,
	}
	if diff := cmp.Diff(want, listing(t, dir)); diff != "" {
		t.Errorf("unpacked (-want +got):\n%s", diff)
	}
}

// TestArchiveUnpackMatchesTar: the files are those GNU tar unpacks with
// the top folder stripped, as fetchzip's unpacking gives them, to Nix's
// eye (the NAR hash). It skips without GNU tar.
func TestArchiveUnpackMatchesTar(t *testing.T) {
	needGNUTar(t)
	archive := filepath.Join(t.TempDir(), "r.tar.gz")
	if err := os.WriteFile(archive, github(t), 0o644); err != nil {
		t.Fatal(err)
	}
	unpackLikeTar(t, archive)
}

// needGNUTar skips the test without GNU tar.
func needGNUTar(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("tar", "--version").Output(); err != nil || !strings.Contains(string(out), "GNU tar") {
		t.Skip("GNU tar is not installed")
	}
}

// unpackLikeTar unpacks the archive at path here and with GNU tar, the
// top folder stripped, and wants the same NAR hash of both: it returns
// the hash, our tree and tar's.
func unpackLikeTar(t *testing.T, archive string) (got lockfile.Hash, ours, theirs string) {
	t.Helper()
	ours, theirs = t.TempDir(), t.TempDir()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unpackArchive(f, ours); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("tar", "-xzf", archive, "-C", theirs, "--strip-components=1").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v: %s", err, out)
	}
	want, err := nar.Hash(theirs)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = nar.Hash(ours); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Errorf("NAR hash %s, tar's tree %s\nours: %q\ntar's: %q", got, want, listing(t, ours), listing(t, theirs))
	}
	return got, ours, theirs
}

// TestGitArchiveMatchesTar: what git archive writes (GitHub's archives
// are its output) unpacks here as GNU tar unpacks it, to the NAR hash:
// the pax global header with the commit, pax long names and link
// targets, links, executables, a submodule (an empty folder), export-subst
// and export-ignore, names with spaces and non-ASCII letters. It skips
// without git or GNU tar.
func TestGitArchiveMatchesTar(t *testing.T) {
	needGNUTar(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	long := strings.Repeat("d", 60) + "/" + strings.Repeat("e", 60) + "/" + strings.Repeat("f", 200) + ".js"
	files := map[string]string{
		"package.json":           `{"name": "r", "version": "1.0.0", "bin": "bin/r"}`,
		"bin/r":                  "#!/usr/bin/env node\n",
		"lib/index.js":           "module.exports = 1;\n",
		"dir with space/é 日本.md": "unicode\n",
		long:                     "long\n",
		"version.txt":            "$Format:%H$\n",
		"ignored.txt":            "not in the archive\n",
		".gitattributes":         "version.txt export-subst\nignored.txt export-ignore\n",
	}
	fetchtest.WriteFiles(t, repo, files)
	if err := os.Chmod(filepath.Join(repo, "bin/r"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, to := range map[string]string{"bin/up": "../lib/index.js", "libalias": "lib", "dangling": "nowhere", "longlink": long} {
		if err := os.Symlink(to, filepath.Join(repo, name)); err != nil {
			t.Fatal(err)
		}
	}
	fetchtest.Git(t, repo, "init", "-q")
	fetchtest.Git(t, repo, "add", "-A")
	// A submodule as the index holds one: git archive writes its folder,
	// empty.
	fetchtest.Git(t, repo, "update-index", "--add", "--cacheinfo", "160000,"+commit+",sub")
	fetchtest.Git(t, repo, "commit", "-q", "-m", "files")
	head := fetchtest.Git(t, repo, "rev-parse", "HEAD")
	archive := filepath.Join(t.TempDir(), "r.tar.gz")
	fetchtest.Git(t, repo, "archive", "--format=tar.gz", "--prefix=r-"+head+"/", "-o", archive, "HEAD")

	got, ours, theirs := unpackLikeTar(t, archive)
	// Nix's own hash of tar's tree, when Nix is here: what a recursive
	// fixed-output fetch of it checks.
	if nix, err := exec.LookPath("nix"); err == nil {
		out, err := exec.Command(nix, "--extra-experimental-features", "nix-command", "hash", "path", "--type", "sha256", theirs).Output()
		if err != nil {
			t.Fatalf("nix hash path: %v", err)
		}
		if h := strings.TrimSpace(string(out)); h != got.String() {
			t.Errorf("NAR hash %s, nix hash path of tar's tree %s", got, h)
		}
	}
	// What the archive holds, to be sure the cases are in it.
	l := strings.Join(listing(t, ours), "\n")
	for _, w := range []string{"version.txt " + head + "\n", "sub/\n", "bin/r (x) ", "longlink -> " + long, long + " long", "dir with space/é 日本.md unicode"} {
		if !strings.Contains(l+"\n", w) {
			t.Errorf("the files lack %q:\n%s", w, l)
		}
	}
	if strings.Contains(l, "not in the archive") || strings.Contains(l, "pax_global_header") {
		t.Errorf("the files hold what they should not:\n%s", l)
	}
}

// TestArchiveHostile: what would write outside the folder, or make its
// files depend on what lies outside, is refused, and nothing is written
// outside the folder.
func TestArchiveHostile(t *testing.T) {
	const top = "r/"
	for _, tc := range []struct {
		name string
		ms   []member
		want string
	}{
		{"absolute", []member{dir(top), file("/etc/x", "x")}, `"/etc/x": an absolute path`},
		{"dot dot", []member{dir(top), file(top+"../x", "x")}, `"r/../x": a path that leads out with ..`},
		{"dot dot deep", []member{dir(top), file(top+"a/../../x", "x")}, `"r/a/../../x": a path that leads out with ..`},
		{"two tops", []member{dir(top), file("s/x", "x")}, `"s/x": a second top entry beside "r": fetchzip wants one top folder`},
		{"file at top", []member{file("x", "x")}, `"x": the top entry is not a folder: fetchzip wants one top folder`},
		{"no top", []member{dir("./")}, `"./": no top folder`},
		{"empty", nil, "the archive holds no folder"},
		{"under a link", []member{dir(top), link(top+"l", "."), file(top+"l/x", "x")}, `"r/l/x": under "l", which is not a folder`},
		{"under a link out", []member{dir(top), link(top+"l", "/tmp"), file(top+"l/x", "x")}, `"r/l": a link to "/tmp", an absolute path`},
		{"under a file", []member{dir(top), file(top+"f", "x"), file(top+"f/x", "x")}, `"r/f/x": under "f", which is not a folder`},
		{"link absolute", []member{dir(top), link(top+"l", "/etc/passwd")}, `"r/l": a link to "/etc/passwd", an absolute path`},
		{"link out", []member{dir(top), dir(top + "a/"), link(top+"a/l", "../../x")}, `"r/a/l": a link to "../../x", which leads out of the archive's top folder`},
		{"link out through a link", []member{dir(top), link(top+"s", "."), link(top+"l", "s/..")}, `"r/l": a link to "s/..", which leads out of the archive's top folder`},
		{"link loop", []member{dir(top), link(top+"a", "b/x"), link(top+"b", "a/y")}, "goes round in links"},
		{"twice", []member{dir(top), file(top+"x", "1"), file(top+"x", "2")}, `"r/x": given twice`},
		{"link over a file", []member{dir(top), file(top+"x", "1"), link(top+"x", "/etc/passwd")}, `"r/x": given twice`},
		{"hard link out", []member{dir(top), {top + "h", tar.TypeLink, 0o644, "/etc/passwd"}}, `"r/h": a hard link to "/etc/passwd": an absolute path`},
		{"hard link to a folder", []member{dir(top), dir(top + "d/"), {top + "h", tar.TypeLink, 0o644, top + "d"}}, `"r/h": a hard link to "r/d", not a file before it`},
		{"hard link ahead", []member{dir(top), {top + "h", tar.TypeLink, 0o644, top + "later"}, file(top+"later", "x")}, `"r/h": a hard link to "r/later", not a file before it`},
		{"device", []member{dir(top), {top + "dev", tar.TypeChar, 0o644, ""}}, `"r/dev": a member of type '3', neither file, folder nor link`},
		{"fifo", []member{dir(top), {top + "p", tar.TypeFifo, 0o644, ""}}, `"r/p": a member of type '6', neither file, folder nor link`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			err := unpackArchive(bytes.NewReader(targz(t, tc.ms...)), dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %s", err, tc.want)
			}
			if ents, _ := os.ReadDir(parent); len(ents) != 1 {
				t.Errorf("written beside the folder: %v", ents)
			}
		})
	}
	if err := unpackArchive(strings.NewReader("not gzip"), t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a gzipped tar") {
		t.Errorf("plain bytes: got %v", err)
	}
}

// TestArchiveLinkChains: links that lead to links are followed as the
// system follows them, at most 40 in all for one link's target (Linux's
// limit, ELOOP past it), so that a few hundred bytes of links cannot keep
// --prefetch busy: before, each link's target counted its own 40, and 30
// links, each to the one before four times over, took 4^30 steps. A long
// chain within the limit still passes; a long target costs its length.
func TestArchiveLinkChains(t *testing.T) {
	// l0 leads to the top folder, and each next link to the one before,
	// times times over: following lN costs 2, 6, 14, … links for times 2.
	chain := func(n, times int) []member {
		ms := []member{dir("r/"), link("r/l0", ".")}
		for i := 1; i <= n; i++ {
			ms = append(ms, link(fmt.Sprintf("r/l%d", i), strings.Repeat(fmt.Sprintf("l%d/", i-1), times)+"."))
		}
		return ms
	}
	// Each link leads through the one before into 2,000 more names (a
	// target's most is 4,095 bytes): the last one's path has 80,000.
	long := []member{dir("r/"), link("r/m0", ".")}
	for i := 1; i <= 40; i++ {
		long = append(long, link(fmt.Sprintf("r/m%d", i), fmt.Sprintf("m%d/", i-1)+strings.Repeat("x/", 2000)))
	}
	for _, tc := range []struct {
		name string
		ms   []member
		want string // "" for none
	}{
		{"chain", chain(39, 1), ""},
		{"too long a chain", chain(41, 1), `"r/l41": a link to "l40/.", which goes round in links, or through more than 40 of them`},
		{"each twice", chain(30, 2), `"r/l10": a link to "l9/l9/.", which goes round in links, or through more than 40 of them`},
		{"each four times", chain(30, 4), `"r/l10": a link to "l9/l9/l9/l9/.", which goes round in links, or through more than 40 of them`},
		{"long targets", long, ""},
		// ".." after a link is the folder above where it leads, as the
		// system reads it: x/../.. is a, inside.
		{"dot dot after a link", []member{dir("r/"), dir("r/a/b/c/"), link("r/x", "a/b/c"), link("r/y", "x/../..")}, ""},
		{"out through a resolved link", []member{dir("r/"), link("r/s", "."), link("r/t", "s/s"), link("r/u", "t/..")}, `"r/u": a link to "t/..", which leads out of the archive's top folder`},
		{"to a link out", []member{dir("r/"), dir("r/d/"), link("r/a", "d/z"), link("r/d/z", "../../x")}, `"r/a": a link to "d/z", which leads out of the archive's top folder`},
		{"to a resolved link out", []member{dir("r/"), dir("r/d/"), link("r/d/z", "../../x"), link("r/e", "d/z")}, `"r/d/z": a link to "../../x", which leads out of the archive's top folder`},
		{"round three", []member{dir("r/"), link("r/a", "b"), link("r/b", "c"), link("r/c", "a/x")}, `"r/a": a link to "b", which goes round in links, or through more than 40 of them`},
		{"round itself", []member{dir("r/"), link("r/a", "./a")}, `"r/a": a link to "./a", which goes round in links, or through more than 40 of them`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := targz(t, tc.ms...)
			done := make(chan error, 1)
			go func() { done <- unpackArchive(bytes.NewReader(data), t.TempDir()) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(2 * time.Minute):
				t.Fatal("still checking the links after two minutes")
			}
			if tc.want == "" && err != nil {
				t.Errorf("got %v, want no error", err)
			}
			if tc.want != "" && (err == nil || err.Error() != tc.want) {
				t.Errorf("got %v, want %s", err, tc.want)
			}
		})
	}
}

// TestArchiveLinkWork: checking the links walks each target once, however
// many links lead through others: here 30 links of 1,200 names each (a
// target's most is 4,095 bytes) lead one through the next, and 2,000
// more through the last; walking the chain again for each of those would
// be 72 million names.
func TestArchiveLinkWork(t *testing.T) {
	ms := []member{dir("r/"), link("r/m0", ".")}
	for i := 1; i <= 30; i++ {
		ms = append(ms, link(fmt.Sprintf("r/m%d", i), fmt.Sprintf("m%d/", i-1)+strings.Repeat("x/", 600)+strings.Repeat("../", 600)))
	}
	for i := range 2000 {
		ms = append(ms, link(fmt.Sprintf("r/p%d", i), "m30/m1"))
	}
	names := 0
	for _, m := range ms {
		if m.typ == tar.TypeSymlink {
			names += len(strings.Split(m.body, "/"))
		}
	}
	u, err := unpack(bytes.NewReader(targz(t, ms...)), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if u.steps > names {
		t.Errorf("walked %d names, more than the targets' %d", u.steps, names)
	}
}

// TestArchiveLimits: an archive is unpacked up to so many bytes of files
// and so many members, then refused, not written on: a small download
// can stand for much more.
func TestArchiveLimits(t *testing.T) {
	defer func(b int64, m int) { maxArchiveBytes, maxArchiveMembers = b, m }(maxArchiveBytes, maxArchiveMembers)
	maxArchiveBytes, maxArchiveMembers = 10, 4
	for _, tc := range []struct {
		name string
		ms   []member
		want string // "" for none
	}{
		{"at the limits", []member{dir("r/"), file("r/a", "12345"), file("r/b", "67890"), link("r/l", "a")}, ""},
		{"a byte more", []member{dir("r/"), file("r/a", "12345"), file("r/b", "678901")}, `"r/b": more than 10 bytes of files: too much to unpack`},
		{"a member more", []member{dir("r/"), dir("r/d/"), dir("r/e/"), link("r/l", "d"), link("r/m", "e")}, "more than 4 members: too many to unpack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := unpackArchive(bytes.NewReader(targz(t, tc.ms...)), dir)
			if tc.want == "" && err != nil {
				t.Errorf("got %v, want no error", err)
			}
			if tc.want != "" && (err == nil || err.Error() != tc.want) {
				t.Errorf("got %v, want %s", err, tc.want)
			}
			if _, err := os.Lstat(filepath.Join(dir, "b")); tc.want != "" && err == nil {
				t.Error("the member past the limit was written")
			}
		})
	}
}

// A git host's archive of a commit (npm's and yarn's GitHub dependencies)
// has no hash in the lock: --prefetch downloads it, unpacks it as
// fetchzip does, and records the NAR hash of its files under [archive] by
// the archive's URL, never asking git. The hash is that of the files, not
// of the archive's bytes: another compression of the same files pins the
// same.
func TestGitHubArchive(t *testing.T) {
	data := github(t)
	srv := fetchtest.NewServer(t, map[string]string{
		"/o/r/tar.gz/" + commit:   string(data),
		"/o/r2/tar.gz/" + commit:  string(recompress(t, data)),
		"/o/bad/tar.gz/" + commit: string(targz(t, dir("r/"), link("r/l", "/etc/passwd"))),
	})
	srv.Flaky("/o/r/tar.gz/"+commit, 1)
	f := &Fetcher{Backoff: time.Millisecond, Git: func(context.Context, ...string) ([]byte, error) {
		t.Error("git was run for an archive")
		return nil, errors.New("no git")
	}}
	archive := func(repo string) lockfile.Source {
		return lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/o/" + repo + "/tar.gz/" + commit, Repo: "https://github.com/o/" + repo + ".git", Rev: commit}
	}
	got, err := f.Pins(context.Background(), sites(archive("r"), archive("r2")), Unpinned, lockfile.SHA512)
	if err != nil {
		t.Fatal(err)
	}
	// The files, unpacked apart, hashed as Nix hashes a folder.
	tree := t.TempDir()
	if err := unpackArchive(bytes.NewReader(data), tree); err != nil {
		t.Fatal(err)
	}
	h, err := nar.Hash(tree)
	if err != nil {
		t.Fatal(err)
	}
	want := pins.New()
	want.Archives[archive("r").URL] = h
	want.Archives[archive("r2").URL] = h
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if h.Algo != lockfile.SHA256 {
		t.Errorf("hash %s, want sha256 (Nix's NAR hash), whatever algo asks for", h)
	}

	_, err = f.Pins(context.Background(), sites(archive("bad")), Unpinned, lockfile.SHA512)
	if want := `pa: ` + archive("bad").URL + `: "r/l": a link to "/etc/passwd", an absolute path: lock2nix does not hash such an archive; a pin at its commit (--pin NAME=` + commit + `, or [pins] in the pins file) fetches the commit with git instead`; err == nil || err.Error() != want {
		t.Errorf("hostile archive: got %v, want %s", err, want)
	}
}

// TestArchiveAndTarballAtOneURL: a lock may fetch one URL of GitHub's
// both as a git dependency's archive (pinned by its files) and as a plain
// tarball (yarn 1's resolved codeload URL of a github: dependency, pinned
// by its bytes): one --prefetch pins both, each its way. Before, the
// second was taken for the first and left unpinned.
func TestArchiveAndTarballAtOneURL(t *testing.T) {
	data := github(t)
	srv := fetchtest.NewServer(t, map[string]string{"/o/r/tar.gz/" + commit: string(data)})
	url := srv.URL + "/o/r/tar.gz/" + commit
	f := &Fetcher{Backoff: time.Millisecond}
	got, err := f.Pins(context.Background(), sites(
		lockfile.Source{Kind: lockfile.Tarball, URL: url},
		lockfile.Source{Kind: lockfile.Tarball, URL: url, Repo: "https://github.com/o/r.git", Rev: commit},
	), Unpinned, lockfile.SHA512)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Tarballs[url]; !ok {
		t.Errorf("no [tarball] pin: %+v", got)
	}
	if _, ok := got.Archives[url]; !ok {
		t.Errorf("no [archive] pin: %+v", got)
	}
}

// recompress returns the gzipped data compressed anew at another level:
// other bytes, the same files.
func recompress(t testing.TB, data []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := raw.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.NoCompression)
	zw.Write(raw.Bytes())
	zw.Close()
	if bytes.Equal(out.Bytes(), data) {
		t.Fatal("recompressed to the same bytes")
	}
	return out.Bytes()
}
