package prefetch

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/lock2nix/lock2nix/internal/oneline"
)

// progress redraws one line: fetches done of all, bytes downloaded, the
// last source done. A nil *progress, or one without a writer, is quiet.
type progress struct {
	w         io.Writer
	mu        sync.Mutex
	total, n  int
	bytes     int64
	last      string
	lastDrawn time.Time
	drawnOnce bool
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, total: total}
}

// Write counts downloaded bytes.
func (p *progress) Write(b []byte) (int, error) {
	if p.w == nil {
		return len(b), nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bytes += int64(len(b))
	p.draw(false)
	return len(b), nil
}

// done records that the fetch of id ended.
func (p *progress) done(id string) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.last = oneline.Escape(id) // the ID is the lockfile's: no escape sequence reaches the terminal
	p.draw(p.n == p.total)
}

// end finishes the line.
func (p *progress) end() {
	if p.w == nil || !p.drawnOnce {
		return
	}
	fmt.Fprintln(p.w)
}

// draw redraws the line at most ten times a second, unless forced.
func (p *progress) draw(force bool) {
	if now := time.Now(); force || now.Sub(p.lastDrawn) >= 100*time.Millisecond {
		p.lastDrawn = now
		p.drawnOnce = true
		fmt.Fprintf(p.w, "\r\x1b[Kprefetching %d/%d, %s  %s", p.n, p.total, size(p.bytes), p.last)
	}
}

// size writes n bytes as B, kB or MB.
func size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
}
