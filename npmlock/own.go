package npmlock

import (
	"unsafe"

	"github.com/lock2nix/lock2nix/lockfile"
)

// The parser reads the caller's bytes in place, without a copy, so the
// strings it finds point into them. Before Parse returns, own moves every
// string of the graph into memory the graph owns: the caller may then
// reuse its buffer, and the graph holds no more of the lockfile than it
// needs.

// view returns data as a string without copying it; data must not change
// while the string is in use.
func view(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	return unsafe.String(&data[0], len(data))
}

// arena copies strings into large shared blocks.
type arena struct{ block []byte }

const blockSize = 64 << 10

// str copies s into the arena.
func (a *arena) str(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > cap(a.block)-len(a.block) {
		a.block = make([]byte, 0, max(blockSize, len(s)))
	}
	start := len(a.block)
	// Within capacity, so the block never moves and earlier strings stay.
	a.block = append(a.block, s...)
	return unsafe.String(&a.block[start], len(s))
}

func (a *arena) strs(ss []string) {
	for i, s := range ss {
		ss[i] = a.str(s)
	}
}

func (a *arena) edges(es []lockfile.Edge) {
	for i := range es {
		es[i].Name = a.str(es[i].Name)
		es[i].Spec = a.str(es[i].Spec)
	}
}

// own moves every string of g into an arena; see above.
func own(g *lockfile.Graph) {
	a := &arena{}
	r := &g.Root
	r.Name, r.Version = a.str(r.Name), a.str(r.Version)
	a.edges(r.Deps)
	a.strs(r.Workspaces)
	for _, p := range g.Packages {
		// IDs are built by concatenation (assignIDs): already the graph's own.
		p.Name, p.Version, p.License = a.str(p.Name), a.str(p.Version), a.str(p.License)
		s := &p.Source
		s.URL, s.Rev, s.Path = a.str(s.URL), a.str(s.Rev), a.str(s.Path)
		for i := range p.Installs {
			p.Installs[i].Path = a.str(p.Installs[i].Path)
		}
		a.edges(p.Deps)
		a.strs(p.Platform.OS)
		a.strs(p.Platform.CPU)
		a.strs(p.Platform.Libc)
		for i := range p.Engines {
			p.Engines[i].Name, p.Engines[i].Range = a.str(p.Engines[i].Name), a.str(p.Engines[i].Range)
		}
		for i := range p.Bins {
			p.Bins[i].Name, p.Bins[i].Path = a.str(p.Bins[i].Name), a.str(p.Bins[i].Path)
		}
	}
}
