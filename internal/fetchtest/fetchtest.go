// Package fetchtest holds what prefetching tests serve: an HTTP server of
// files that counts its requests, and local git repositories.
package fetchtest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Server serves files by path and counts the requests, so that a test can
// tell that a run used no network.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string]string
	flaky    map[string]int
	requests atomic.Int64
}

// NewServer serves files (path → body) until the test ends.
func NewServer(t testing.TB, files map[string]string) *Server {
	s := &Server{files: files, flaky: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		busy := s.flaky[r.URL.Path] > 0
		s.flaky[r.URL.Path]--
		body, ok := s.files[r.URL.Path]
		s.mu.Unlock()
		switch {
		case busy:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case !ok:
			http.NotFound(w, r)
		default:
			w.Write([]byte(body))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// Serve serves body at path from now on.
func (s *Server) Serve(path, body string) {
	s.mu.Lock()
	s.files[path] = body
	s.mu.Unlock()
}

// Flaky makes the next n requests for path fail with 503.
func (s *Server) Flaky(path string, n int) {
	s.mu.Lock()
	s.flaky[path] = n
	s.mu.Unlock()
}

// Requests returns how many requests were served since the last Reset.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Reset sets the request count to zero.
func (s *Server) Reset() { s.requests.Store(0) }

// Git runs git in dir, as a fixed author and without the user's
// configuration, and returns its trimmed output.
func Git(t testing.TB, dir string, args ...string) string {
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

// WriteFiles writes files (path with slashes → text) under dir, making
// their folders.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Commit makes dir, a folder of files, a git repository that holds them
// all in one commit, and returns the commit.
func Commit(t testing.TB, dir string) string {
	t.Helper()
	Git(t, dir, "init", "-q")
	Git(t, dir, "add", "-A")
	Git(t, dir, "commit", "-qm", "init")
	return Git(t, dir, "rev-parse", "HEAD")
}

// Repo is a local git repository with a branch "main" (its HEAD), a
// branch "feature" and an annotated tag "v1", each on a commit of its own.
type Repo struct {
	// URL is the repository's file:// URL.
	URL string
	// Main, Feature and Tag are the commits of main, feature and v1.
	Main, Feature, Tag string
}

// NewRepo makes a Repo in a temporary folder; the test is skipped
// without git.
func NewRepo(t testing.TB) Repo {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	var r Repo
	Git(t, dir, "init", "-q", "-b", "main")
	Git(t, dir, "commit", "-q", "--allow-empty", "-m", "tagged")
	Git(t, dir, "tag", "-a", "v1", "-m", "v1")
	r.Tag = Git(t, dir, "rev-parse", "HEAD")
	Git(t, dir, "checkout", "-q", "-b", "feature")
	Git(t, dir, "commit", "-q", "--allow-empty", "-m", "feature")
	r.Feature = Git(t, dir, "rev-parse", "HEAD")
	Git(t, dir, "checkout", "-q", "main")
	Git(t, dir, "commit", "-q", "--allow-empty", "-m", "main")
	r.Main = Git(t, dir, "rev-parse", "HEAD")
	r.URL = "file://" + filepath.ToSlash(dir)
	return r
}
