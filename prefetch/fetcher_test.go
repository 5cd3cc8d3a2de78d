package prefetch

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/pins"
)

// server serves files by path, counting requests; a path listed in flaky
// fails with 503 that many times first.
type server struct {
	*httptest.Server
	files    map[string]string
	mu       sync.Mutex
	flaky    map[string]int
	requests atomic.Int64
}

func newServer(t *testing.T, files map[string]string) *server {
	s := &server{files: files, flaky: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		busy := s.flaky[r.URL.Path] > 0
		s.flaky[r.URL.Path]--
		s.mu.Unlock()
		if busy {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		body, ok := s.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func sum(algo lockfile.Algo, data string) lockfile.Hash {
	var d []byte
	switch algo {
	case lockfile.MD5:
		s := md5.Sum([]byte(data))
		d = s[:]
	case lockfile.SHA1:
		s := sha1.Sum([]byte(data))
		d = s[:]
	case lockfile.SHA256:
		s := sha256.Sum256([]byte(data))
		d = s[:]
	case lockfile.SHA512:
		s := sha512.Sum512([]byte(data))
		d = s[:]
	}
	return lockfile.Hash{Algo: algo, Digest: d}
}

func sites(srcs ...lockfile.Source) []pins.Site {
	var out []pins.Site
	for i := range srcs {
		out = append(out, pins.Site{ID: "p" + string(rune('a'+i)), Source: &srcs[i]})
	}
	return out
}

func TestTarballs(t *testing.T) {
	srv := newServer(t, map[string]string{"/a.tgz": "aaa", "/b.tgz": "bbb", "/c.tgz": "ccc"})
	srv.flaky["/c.tgz"] = 2
	f := &Fetcher{Backoff: time.Millisecond}
	s := sites(
		lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/a.tgz"},
		lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/a.tgz"}, // the same archive: fetched once
		lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/b.tgz", Hash: sum(lockfile.SHA1, "bbb")},
		lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/c.tgz"},
		lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/strong.tgz", Hash: sum(lockfile.SHA512, "x")}, // pinned: never asked
	)
	got, err := f.Pins(context.Background(), s, Unpinned, lockfile.SHA512)
	if err != nil {
		t.Fatal(err)
	}
	want := pins.New()
	want.Tarballs[srv.URL+"/a.tgz"] = pins.Tarball{Hash: sum(lockfile.SHA512, "aaa")}
	want.Tarballs[srv.URL+"/c.tgz"] = pins.Tarball{Hash: sum(lockfile.SHA512, "ccc")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Unpinned (-want +got):\n%s", diff)
	}
	if n := srv.requests.Load(); n != 4 { // a once, c three times
		t.Errorf("%d requests, want 4", n)
	}

	got, err = f.Pins(context.Background(), s, Weak, lockfile.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pins.Tarball{Hash: sum(lockfile.SHA256, "bbb"), Weak: sum(lockfile.SHA1, "bbb")}, got.Tarballs[srv.URL+"/b.tgz"]); diff != "" {
		t.Errorf("Weak (-want +got):\n%s", diff)
	}
}

func TestTarballErrors(t *testing.T) {
	srv := newServer(t, map[string]string{"/wrong.tgz": "not what the lock says", "/ok.tgz": "ok"})
	srv.flaky["/down.tgz"] = 100
	f := &Fetcher{Backoff: time.Millisecond, Retries: 2}
	s := sites(
		lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/wrong.tgz", Hash: sum(lockfile.MD5, "right")},
		lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/missing.tgz"},
		lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/down.tgz"},
		lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/ok.tgz"},
	)
	got, err := f.Pins(context.Background(), s, Weak, lockfile.SHA256)
	want := strings.Join([]string{
		"pa: " + srv.URL + "/wrong.tgz does not match the lockfile's hash: the lockfile says " + sum(lockfile.MD5, "right").String() + ", the download is " + sum(lockfile.MD5, "not what the lock says").String(),
		"pb: GET " + srv.URL + "/missing.tgz: 404 Not Found",
		"pc: GET " + srv.URL + "/down.tgz: 503 Service Unavailable",
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	if len(got.Tarballs) != 1 || got.Tarballs[srv.URL+"/ok.tgz"].Hash.IsZero() {
		t.Errorf("the source that worked is not pinned: %v", got.Tarballs)
	}
	if n := srv.flaky["/down.tgz"]; n != 97 { // read after the fetches: no race
		t.Errorf("down.tgz asked %d times, want 3", 100-n)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	f := &Fetcher{Timeout: 20 * time.Millisecond, Retries: -1}
	_, err := f.Pins(context.Background(), sites(lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/slow.tgz"}), Unpinned, lockfile.SHA256)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want a deadline error", err)
	}
}

// git runs git in dir for a test.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// gitRepo makes a repository with a main branch, a branch "feature" and an
// annotated tag "v1" on a commit of its own, and returns its file:// URL and
// the three commits.
func gitRepo(t *testing.T) (url, main, feature, tag string) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "tagged")
	git(t, dir, "tag", "-a", "v1", "-m", "v1")
	tag = git(t, dir, "rev-parse", "HEAD")
	git(t, dir, "checkout", "-q", "-b", "feature")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "feature")
	feature = git(t, dir, "rev-parse", "HEAD")
	git(t, dir, "checkout", "-q", "main")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "main")
	main = git(t, dir, "rev-parse", "HEAD")
	return "file://" + filepath.ToSlash(dir), main, feature, tag
}

func TestGit(t *testing.T) {
	url, main, feature, tag := gitRepo(t)
	var calls atomic.Int64
	f := &Fetcher{Git: func(ctx context.Context, args ...string) ([]byte, error) {
		calls.Add(1)
		return runGit(ctx, args...)
	}}
	s := sites(
		lockfile.Source{Kind: lockfile.Git, URL: url},
		lockfile.Source{Kind: lockfile.Git, URL: url, Rev: "feature"},
		lockfile.Source{Kind: lockfile.Git, URL: url, Rev: "v1"},
		lockfile.Source{Kind: lockfile.Git, URL: url, Rev: main}, // a commit: never asked
	)
	got, err := f.Pins(context.Background(), s, Unpinned, lockfile.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	want := pins.New()
	want.Git[url] = main
	want.Git[url+"#feature"] = feature
	want.Git[url+"#v1"] = tag
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if calls.Load() != 3 {
		t.Errorf("git ran %d times, want 3", calls.Load())
	}

	_, err = f.Pins(context.Background(), sites(lockfile.Source{Kind: lockfile.Git, URL: url, Rev: "nope"}), Unpinned, lockfile.SHA256)
	if want := "pa: git ls-remote " + url + `: no branch or tag "nope"`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// A caller's git runner is used, and its failures are retried.
func TestGitRunnerInjected(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	fails := 1
	f := &Fetcher{Backoff: time.Millisecond, Git: func(ctx context.Context, args ...string) ([]byte, error) {
		if diff := cmp.Diff([]string{"ls-remote", "--", "https://git.test/a.git", "dev", "dev^{}"}, args); diff != "" {
			t.Errorf("args (-want +got):\n%s", diff)
		}
		if fails > 0 {
			fails--
			return nil, errors.New("network down")
		}
		return []byte(commit + "\trefs/heads/dev\n"), nil
	}}
	got, err := f.Pins(context.Background(), sites(lockfile.Source{Kind: lockfile.Git, URL: "https://git.test/a.git", Rev: "dev"}), Unpinned, lockfile.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if got.Git["https://git.test/a.git#dev"] != commit {
		t.Errorf("got %v", got.Git)
	}
}

func TestProgress(t *testing.T) {
	srv := newServer(t, map[string]string{"/a.tgz": strings.Repeat("a", 1500)})
	var b strings.Builder
	f := &Fetcher{Progress: &b}
	if _, err := f.Pins(context.Background(), sites(lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/a.tgz"}), Unpinned, lockfile.SHA256); err != nil {
		t.Fatal(err)
	}
	if want := "\r\x1b[Kprefetching 1/1, 1.5 kB  pa\n"; !strings.HasSuffix(b.String(), want) {
		t.Errorf("progress %q, want it to end with %q", b.String(), want)
	}
}
