package prefetch

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"hash"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/internal/fetchtest"
	"github.com/lock2nix/lock2nix/internal/oneline/onelinetest"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/pins"
)

// sum hashes data with the standard library, apart from the digester.
func sum(algo lockfile.Algo, data string) lockfile.Hash {
	h := map[lockfile.Algo]func() hash.Hash{
		lockfile.MD5: md5.New, lockfile.SHA1: sha1.New, lockfile.SHA256: sha256.New, lockfile.SHA512: sha512.New,
	}[algo]()
	h.Write([]byte(data))
	return lockfile.Hash{Algo: algo, Digest: h.Sum(nil)}
}

func sites(srcs ...lockfile.Source) []pins.Site {
	var out []pins.Site
	for i := range srcs {
		out = append(out, pins.Site{ID: "p" + string(rune('a'+i)), Source: &srcs[i]})
	}
	return out
}

func TestTarballs(t *testing.T) {
	srv := fetchtest.NewServer(t, map[string]string{"/a.tgz": "aaa", "/b.tgz": "bbb", "/c.tgz": "ccc"})
	srv.Flaky("/c.tgz", 2)
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
	if n := srv.Requests(); n != 4 { // a once, c three times
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
	srv := fetchtest.NewServer(t, map[string]string{"/wrong.tgz": "not what the lock says", "/ok.tgz": "ok"})
	srv.Flaky("/down.tgz", 100)
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
	if n := srv.Requests(); n != 6 { // down.tgz three times, the others once
		t.Errorf("%d requests, want 6", n)
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

func TestGit(t *testing.T) {
	repo := fetchtest.NewRepo(t)
	url := repo.URL
	var calls atomic.Int64
	f := &Fetcher{Git: func(ctx context.Context, args ...string) ([]byte, error) {
		calls.Add(1)
		return runGit(ctx, args...)
	}}
	s := sites(
		lockfile.Source{Kind: lockfile.Git, URL: url},
		lockfile.Source{Kind: lockfile.Git, URL: url, Rev: "feature"},
		lockfile.Source{Kind: lockfile.Git, URL: url, Rev: "v1"},
		lockfile.Source{Kind: lockfile.Git, URL: url, Rev: repo.Main}, // a commit: never asked
	)
	got, err := f.Pins(context.Background(), s, Unpinned, lockfile.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	want := pins.New()
	want.Git[url] = repo.Main
	want.Git[url+"#feature"] = repo.Feature
	want.Git[url+"#v1"] = repo.Tag
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
	srv := fetchtest.NewServer(t, map[string]string{"/a.tgz": strings.Repeat("a", 1500)})
	var b strings.Builder
	f := &Fetcher{Progress: &b}
	if _, err := f.Pins(context.Background(), sites(lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/a.tgz"}), Unpinned, lockfile.SHA256); err != nil {
		t.Fatal(err)
	}
	if want := "\r\x1b[Kprefetching 1/1, 1.5 kB  pa\n"; !strings.HasSuffix(b.String(), want) {
		t.Errorf("progress %q, want it to end with %q", b.String(), want)
	}
}

// TestMessagesStayOneLine: a source whose ID (the lockfile's) holds a
// newline or a terminal escape fails on one line, escaped, and the
// progress line shows it escaped too.
func TestMessagesStayOneLine(t *testing.T) {
	srv := fetchtest.NewServer(t, map[string]string{"/a.tgz": "a"})
	for _, h := range onelinetest.Hostile {
		t.Run(h.Name, func(t *testing.T) {
			var progress strings.Builder
			f := &Fetcher{Progress: &progress}
			s := sites(lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/missing.tgz"}, lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/a.tgz"})
			s[0].ID, s[1].ID = h.Value, h.Value+"@ok"
			_, err := f.Pins(context.Background(), s, Unpinned, lockfile.SHA256)
			if want := h.Escaped + ": GET " + srv.URL + "/missing.tgz: 404 Not Found"; err == nil || err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
			// The progress line draws itself with \r and an escape
			// sequence of its own; the IDs bring none.
			drawn := strings.ReplaceAll(progress.String(), "\r\x1b[K", "")
			if strings.ContainsFunc(strings.TrimSuffix(drawn, "\n"), func(r rune) bool { return r < ' ' || r == 0x7f }) {
				t.Errorf("progress %q holds a control character of the IDs'", progress.String())
			}
			if !strings.Contains(drawn, h.Escaped) {
				t.Errorf("progress %q does not show %q", drawn, h.Escaped)
			}
		})
	}
}
