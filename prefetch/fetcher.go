// Package prefetch downloads and resolves what a lockfile leaves without a
// strong pin, and returns pins for it: a strong hash for each archive
// without one (or, on request, with only an md5 or sha1 hash, checked on
// the same bytes), the hash of the files of each git host's archive of a
// commit (unpacked as nixpkgs' fetchzip unpacks it, hashed as Nix hashes
// a folder), a commit for each git source that names a branch, a tag or
// nothing. It is the only part of lock2nix that uses the network; the
// HTTP client and the git runner are the caller's to give.
package prefetch

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/lock2nix/lock2nix/internal/nar"
	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/pins"
)

// GitRunner runs git with args and returns its standard output.
type GitRunner func(ctx context.Context, args ...string) ([]byte, error)

// Fetcher prefetches sources. Its zero value uses http.DefaultClient, the
// git command, 8 downloads at once, 3 retries, and no progress.
type Fetcher struct {
	// Client fetches archives; nil means http.DefaultClient.
	Client *http.Client
	// Git runs git ls-remote; nil means the git command.
	Git GitRunner
	// Jobs bounds the fetches that run at once; 0 or less means 8.
	Jobs int
	// Retries is how many times a transient failure (a network error, an
	// HTTP 408, 429 or 5xx) is retried; 0 means 3, a negative value none.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one; 0 means one second.
	Backoff time.Duration
	// Timeout bounds each attempt; 0 means ten minutes.
	Timeout time.Duration
	// Progress, when not nil, receives one line that is redrawn as
	// fetches end (a terminal's standard error, say): how many of how
	// many, the bytes downloaded, and the last source done.
	Progress io.Writer
}

// Mode says which sources need a pin.
type Mode uint8

const (
	// Unpinned: archives without a hash and git sources without a commit.
	Unpinned Mode = iota
	// Weak: those, and archives whose only hash is md5 or sha1.
	Weak
)

// Needs reports whether src needs prefetching in mode m.
func (m Mode) Needs(src lockfile.Source) bool {
	if src.Fetchable() && !src.Pinned() {
		return true
	}
	return m == Weak && src.Kind == lockfile.Tarball && src.Hash.Algo.Weak()
}

// Pins prefetches every site that mode m says needs it, each distinct
// source once, and returns their pins: archives hashed with algo, git
// hosts' archives of commits by the sha256 of their files' NAR (what
// fetchzip checks), git refs resolved to commits. The error joins one error per failed source,
// each naming it.
func (f *Fetcher) Pins(ctx context.Context, sites []pins.Site, m Mode, algo lockfile.Algo) (*pins.File, error) {
	var jobs []pins.Site
	// A git host's archive is another pin than a tarball at its URL.
	type job struct {
		id      lockfile.SourceID
		archive bool
	}
	seen := map[job]bool{}
	for _, s := range sites {
		if k := (job{s.Source.ID(), s.Source.Repo != ""}); m.Needs(*s.Source) && !seen[k] {
			seen[k] = true
			jobs = append(jobs, s)
		}
	}
	out := pins.New()
	errs := make([]error, len(jobs))
	p := newProgress(f.Progress, len(jobs))
	var mu sync.Mutex
	jobsAtOnce := f.Jobs
	if jobsAtOnce <= 0 {
		jobsAtOnce = 8
	}
	sem := make(chan struct{}, jobsAtOnce)
	var wg sync.WaitGroup
	for i, s := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			src := *s.Source
			var err error
			switch {
			case src.Kind == lockfile.Tarball && src.Repo != "":
				var h lockfile.Hash
				h, err = f.hashArchive(ctx, src, p)
				if r := (refused{}); errors.As(err, &r) {
					// The way past it: the commit's files from git.
					err = fmt.Errorf("%w: lock2nix does not hash such an archive; a pin at its commit (--pin %s=%s, or [pins] in the pins file) fetches the commit with git instead", err, cmp.Or(s.Name, "NAME"), src.Rev)
				}
				if err == nil {
					mu.Lock()
					out.Archives[src.URL] = h
					mu.Unlock()
				}
			case src.Kind == lockfile.Tarball:
				var h lockfile.Hash
				h, err = f.hashTarball(ctx, src, algo, p)
				if err == nil {
					t := pins.Tarball{Hash: h}
					if src.Hash.Algo.Weak() {
						t.Weak = src.Hash
					}
					mu.Lock()
					out.Tarballs[src.URL] = t
					mu.Unlock()
				}
			case src.Kind == lockfile.Git:
				var rev string
				rev, err = f.resolve(ctx, src.URL, src.Rev)
				if err == nil {
					mu.Lock()
					out.Git[pins.GitKey(src.URL, src.Rev)] = rev
					mu.Unlock()
				}
			}
			if err != nil {
				errs[i] = &sourceError{s.ID, err}
			}
			p.done(s.ID)
		})
	}
	wg.Wait()
	p.end()
	return out, errors.Join(errs...)
}

// sourceError is a source's failed fetch, "id: what failed", on one
// line: the ID and the URL come from the lockfile, git's complaint from
// the network, and any of them may hold a newline or a terminal's escape
// sequence (see lockfile.Error).
type sourceError struct {
	id  string
	err error
}

func (e *sourceError) Error() string { return oneline.Escape(e.id + ": " + e.err.Error()) }
func (e *sourceError) Unwrap() error { return e.err }

// hashTarball downloads src and returns its hash by algo, after checking
// the bytes against the lock's weak hash, if it has one.
func (f *Fetcher) hashTarball(ctx context.Context, src lockfile.Source, algo lockfile.Algo, p *progress) (lockfile.Hash, error) {
	algos := []lockfile.Algo{algo}
	if src.Hash.Algo.Weak() {
		algos = append(algos, src.Hash.Algo)
	}
	var sums []lockfile.Hash
	err := f.download(ctx, src.URL, func(body io.Reader) error {
		d := newDigester(algos)
		if _, err := io.Copy(io.MultiWriter(d, p), body); err != nil {
			return transient{fmt.Errorf("GET %s: %w", src.URL, err)}
		}
		sums = d.sums()
		return nil
	})
	if err != nil {
		return lockfile.Hash{}, err
	}
	if len(sums) == 2 && !sums[1].Equal(src.Hash) {
		return lockfile.Hash{}, fmt.Errorf("%s does not match the lockfile's hash: the lockfile says %s, the download is %s", src.URL, src.Hash, sums[1])
	}
	return sums[0], nil
}

// hashArchive downloads src, a git host's archive of a commit, unpacks
// it as nixpkgs' fetchzip does (unpackArchive) in a temporary folder, and
// returns the sha256 of its files' NAR: the hash of the fixed-output fetch
// the generated file makes of it.
func (f *Fetcher) hashArchive(ctx context.Context, src lockfile.Source, p *progress) (lockfile.Hash, error) {
	var h lockfile.Hash
	err := f.download(ctx, src.URL, func(body io.Reader) error {
		dir, err := os.MkdirTemp("", "lock2nix-archive-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		r := &readErr{r: io.TeeReader(body, p)}
		if err := unpackArchive(r, dir); err != nil {
			if r.err != nil {
				// The connection, not the archive, failed: worth another try.
				return transient{fmt.Errorf("GET %s: %w", src.URL, r.err)}
			}
			return refused{fmt.Errorf("%s: %w", src.URL, err)}
		}
		h, err = nar.Hash(dir)
		return err
	})
	return h, err
}

// refused marks an archive that unpackArchive refuses.
type refused struct{ error }

func (r refused) Unwrap() error { return r.error }

// readErr is a reader that keeps the error its reader gave, if any.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// download GETs url and hands read the body, retrying transient failures
// (those of the request, and those read marks transient).
func (f *Fetcher) download(ctx context.Context, url string, read func(body io.Reader) error) error {
	return f.retry(ctx, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		client := f.Client
		if client == nil {
			client = http.DefaultClient
		}
		resp, err := client.Do(req)
		if err != nil {
			return transient{err}
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err := fmt.Errorf("GET %s: %s", url, resp.Status)
			if resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
				return transient{err}
			}
			return err
		}
		return read(resp.Body)
	})
}

// resolve returns the commit that ref ("" for the default branch) names
// in the repository at url, asking git ls-remote.
func (f *Fetcher) resolve(ctx context.Context, url, ref string) (string, error) {
	run := f.Git
	if run == nil {
		run = runGit
	}
	// A pattern matches the end of a ref's name: "v1" lists refs/tags/v1
	// but not its peeled commit, refs/tags/v1^{}, which needs its own.
	want, args := "HEAD", []string{"ls-remote", "--", url, "HEAD"}
	if ref != "" {
		want, args = ref, []string{"ls-remote", "--", url, ref, ref + "^{}"}
	}
	var out []byte
	err := f.retry(ctx, func(ctx context.Context) error {
		var err error
		out, err = run(ctx, args...)
		if err != nil {
			return transient{err}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	refs := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if c, name, ok := strings.Cut(strings.TrimSpace(line), "\t"); ok && lockfile.IsCommit(c) {
			refs[name] = c
		}
	}
	// A tag's own commit (its peeled ^{} line) wins over the tag object.
	for _, name := range []string{want, "refs/heads/" + want, "refs/tags/" + want + "^{}", "refs/tags/" + want} {
		if c, ok := refs[name]; ok {
			return c, nil
		}
	}
	return "", fmt.Errorf("git ls-remote %s: no branch or tag %q", url, want)
}

// runGit runs the git command, without ever asking for a password.
func runGit(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// transient marks an error worth retrying.
type transient struct{ error }

func (t transient) Unwrap() error { return t.error }

// retry runs attempt, each time under the timeout, until it succeeds,
// fails for good, or the retries are used up.
func (f *Fetcher) retry(ctx context.Context, attempt func(context.Context) error) error {
	retries := f.Retries
	if retries == 0 {
		retries = 3
	}
	wait := cmp.Or(f.Backoff, time.Second)
	for i := 0; ; i++ {
		actx, cancel := context.WithTimeout(ctx, cmp.Or(f.Timeout, 10*time.Minute))
		err := attempt(actx)
		cancel()
		var t transient
		if err == nil || !errors.As(err, &t) || i >= retries || ctx.Err() != nil {
			if errors.As(err, &t) {
				err = t.error
			}
			return err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait *= 2
	}
}
