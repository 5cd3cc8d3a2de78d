package pins

import (
	"fmt"
	"maps"
	"slices"

	"github.com/lock2nix/lock2nix/lockfile"
)

// Site is one source of a lock, for [File.Apply] to fill in.
type Site struct {
	// ID names the source in messages (a package ID, or the package ID
	// and the path of one of its extra files).
	ID string
	// Name is the package's name, which [File.Names] pins; "" for a
	// source that is not a package's own (dune's extra files).
	Name string
	// Source is where the pin is written.
	Source *lockfile.Source
}

// Entry names one pin of a File.
type Entry struct {
	// Table is "pins", "git", "tarball" or "archive"; Key is the entry's
	// key there.
	Table, Key string
}

// String returns the entry as the file shows it: `[tarball] "https://…"`.
func (e Entry) String() string { return fmt.Sprintf("[%s] %s", e.Table, key(e.Key)) }

// Apply writes f's pins into the sites they apply to, marking them
// FromPins, and returns the entries that applied to none, sorted.
//
// A [File.Names] pin applies to the git source of every package of that
// name, whatever the lock names, and turns a git host's archive of a
// commit (lockfile.Source.Repo) into the git source at the pinned one. A
// [File.Git] pin applies to a git source whose URL and ref (the lock names
// no commit) make its key. A [File.Archives] pin applies to a git host's
// archive of a commit at its URL that has no hash, and a [File.Tarballs]
// pin to any other archive at its URL that the lock leaves without a
// hash, or with the weak hash the pin records; an archive the lock pins
// strongly, or by another weak hash, leaves the pin unused, and so does a
// [File.Tarballs] pin at a git host's archive (its hash would be of the
// archive's bytes, not its files).
func (f *File) Apply(sites []Site) []Entry {
	used := map[Entry]bool{}
	for _, s := range sites {
		src := s.Source
		switch src.Kind {
		case lockfile.Git:
			if c, ok := f.Names[s.Name]; ok && s.Name != "" {
				src.Rev, src.FromPins = c, true
				used[Entry{"pins", s.Name}] = true
			} else if k := GitKey(src.URL, src.Rev); !lockfile.IsCommit(src.Rev) && f.Git[k] != "" {
				src.Rev, src.FromPins = f.Git[k], true
				used[Entry{"git", k}] = true
			}
		case lockfile.Tarball:
			if c, ok := f.Names[s.Name]; ok && s.Name != "" && src.Repo != "" {
				// A git host's archive of a commit: the pin names another
				// commit, fetched from the repository as git sources are.
				*src = src.AsGit()
				src.Rev, src.FromPins = c, true
				used[Entry{"pins", s.Name}] = true
				break
			}
			if src.Repo != "" {
				if h, ok := f.Archives[src.URL]; ok && src.Hash.IsZero() {
					src.Hash, src.FromPins = h, true
					used[Entry{"archive", src.URL}] = true
				}
				break
			}
			t, ok := f.Tarballs[src.URL]
			if !ok {
				break
			}
			if src.Hash.IsZero() || src.Hash.Algo.Weak() && src.Hash.Equal(t.Weak) {
				src.Hash, src.FromPins = t.Hash, true
				used[Entry{"tarball", src.URL}] = true
			}
		}
	}
	var unused []Entry
	for _, e := range f.Entries() {
		if !used[e] {
			unused = append(unused, e)
		}
	}
	return unused
}

// Entries returns every entry of f, by table ([pins], [git], [tarball],
// [archive]) and key.
func (f *File) Entries() []Entry {
	var es []Entry
	for _, k := range slices.Sorted(maps.Keys(f.Names)) {
		es = append(es, Entry{"pins", k})
	}
	for _, k := range slices.Sorted(maps.Keys(f.Git)) {
		es = append(es, Entry{"git", k})
	}
	for _, k := range slices.Sorted(maps.Keys(f.Tarballs)) {
		es = append(es, Entry{"tarball", k})
	}
	for _, k := range slices.Sorted(maps.Keys(f.Archives)) {
		es = append(es, Entry{"archive", k})
	}
	return es
}

// Delete removes the entries es from f.
func (f *File) Delete(es ...Entry) {
	for _, e := range es {
		switch e.Table {
		case "pins":
			delete(f.Names, e.Key)
		case "git":
			delete(f.Git, e.Key)
		case "tarball":
			delete(f.Tarballs, e.Key)
		case "archive":
			delete(f.Archives, e.Key)
		}
	}
}

// Merge adds o's entries to f, replacing those with the same key.
func (f *File) Merge(o *File) {
	maps.Copy(f.Names, o.Names)
	maps.Copy(f.Git, o.Git)
	maps.Copy(f.Tarballs, o.Tarballs)
	maps.Copy(f.Archives, o.Archives)
}
