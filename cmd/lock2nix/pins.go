package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/pins"
	"github.com/lock2nix/lock2nix/prefetch"
	"github.com/spf13/pflag"
)

// pinFlags are the flags about pins, which every command shares.
type pinFlags struct {
	file     string
	pins     []string
	prefetch string
	quiet    bool
}

// Values of --prefetch.
const (
	prefetchUnpinned = "unpinned"
	prefetchWeak     = "weak"
)

func addPinFlags(fs *pflag.FlagSet) *pinFlags {
	pf := &pinFlags{}
	fs.StringVar(&pf.file, "pins", "", "read pins from `FILE` (default: DIR/"+pins.FileName+")")
	fs.StringArrayVar(&pf.pins, "pin", nil, "pin a package's git source to `NAME=COMMIT`, whatever the lockfile names (repeatable)")
	fs.StringVar(&pf.prefetch, "prefetch", "", "download what the lockfile leaves unpinned and record it in the pins file (`MODE` \"weak\": also upgrade md5/sha1-only sources)")
	fs.Lookup("prefetch").NoOptDefVal = prefetchUnpinned
	fs.BoolVarP(&pf.quiet, "quiet", "q", false, "print no progress or summary")
	return pf
}

// sites lists every source of a translation for the pins to apply to.
func (t *translation) sites() []pins.Site {
	if t.siteList != nil {
		return t.siteList
	}
	sites := make([]pins.Site, 0, len(t.graph.Packages)+len(t.extra))
	for _, p := range t.graph.Packages {
		sites = append(sites, pins.Site{ID: p.ID, Name: p.Name, Source: &p.Source})
	}
	t.siteList = append(sites, t.extra...)
	return t.siteList
}

// apply reads the pins file and the --pin flags, prefetches with
// --prefetch (then rewrites the pins file), and writes the pins into the
// translation's sources. With check, pins the lock no longer needs are
// an error; otherwise a warning.
func (pf *pinFlags) apply(c *command, dir string, t *translation, check bool, stderr io.Writer) error {
	if check && pf.prefetch != "" {
		return errors.New("--check never uses the network: run --prefetch without --check first")
	}
	if pf.prefetch != "" && pf.prefetch != prefetchUnpinned && pf.prefetch != prefetchWeak {
		return fmt.Errorf("--prefetch=%s: want --prefetch or --prefetch=weak", pf.prefetch)
	}
	name := pf.file
	if name == "" {
		name = filepath.Join(dir, pins.FileName)
	} else {
		t.flags = append(t.flags, "--pins", shell.Word(name))
	}
	old, err := os.ReadFile(name)
	if err != nil && (pf.file != "" || !errors.Is(err, os.ErrNotExist)) {
		return err
	}
	file := pins.New()
	if err == nil {
		if file, err = pins.Parse(name, old); err != nil {
			return err
		}
	}
	// --pin flags win over the file's [pins] and are never written to it.
	eff := pins.New()
	eff.Merge(file)
	flagged := map[string]bool{}
	for _, p := range pf.pins {
		n, commit, ok := strings.Cut(p, "=")
		if !ok || n == "" || !lockfile.IsCommit(commit) {
			return fmt.Errorf("--pin %q: want NAME=COMMIT, with a full commit id", p)
		}
		eff.Names[n] = commit
		flagged[n] = true
	}
	if t.pinLocked {
		if err := lockedPins(t, eff, flagged, name); err != nil {
			return err
		}
	}
	if eff.Empty() && pf.prefetch == "" {
		return nil // no pin to apply, none unused, nothing to fetch
	}
	sites := t.sites()
	var unused []pins.Entry
	for _, e := range eff.Apply(sites) {
		if _, inFile := file.Names[e.Key]; e.Table == "pins" && !inFile {
			fmt.Fprintf(stderr, "lock2nix %s: warning: --pin %s: %s has no package %s with a git source\n", c.name, e.Key, t.inputPath, e.Key)
			continue
		}
		unused = append(unused, e)
	}
	// A [tarball] entry at a GitHub archive's URL still in use is an
	// older lock2nix's pin of the archive's bytes, which is said.
	archives := map[string]bool{}
	for _, s := range sites {
		if s.Source.Kind == lockfile.Tarball && s.Source.Repo != "" {
			archives[s.Source.URL] = true
		}
	}
	switch {
	case pf.prefetch != "":
		return pf.update(c, name, old, file, sites, unused, stderr)
	case len(unused) > 0 && check:
		return &stalePinsError{name, fmt.Errorf("%s is stale: the lockfile no longer needs %s:\n%s\nrun \"%s\" to update it", name, plural(len(unused), "entry", "entries"), entryList(unused, archives), prefetchCommand(c, dir, t))}
	case len(unused) > 0:
		fmt.Fprintf(stderr, "lock2nix %s: warning: %s: the lockfile no longer needs %s (\"%s\" removes %s):\n%s\n", c.name, name, plural(len(unused), "entry", "entries"), prefetchCommand(c, dir, t), agree(len(unused), "it", "them"), entryList(unused, archives))
	}
	return nil
}

// lockedPins stops on every pin (flagged: from --pin; else from the pins
// file name) that names another commit than the lock does for a package
// whose lock fixes its files (translation.pinLocked): berry checks out the
// locked commit in the build, and checks what it packs against the lock's
// checksum, so no other commit builds. A pin at the locked commit is
// fine: it fetches a GitHub archive's commit with fetchGit instead.
func lockedPins(t *translation, eff *pins.File, flagged map[string]bool, name string) error {
	var errs []error
	for _, s := range t.sites() {
		src := s.Source
		c, ok := eff.Names[s.Name]
		isGit := src.Kind == lockfile.Git || src.Kind == lockfile.Tarball && src.Repo != ""
		if !ok || s.Name == "" || !isGit || !lockfile.IsCommit(src.Rev) || c == src.Rev {
			continue
		}
		by := "--pin " + s.Name + "=" + c
		if !flagged[s.Name] {
			by = pins.Entry{Table: "pins", Key: s.Name}.String() + " in " + name + " (" + c + ")"
		}
		at := src.Origin
		if at.File == "" {
			at = lockfile.Pos{File: t.inputPath}
		}
		errs = append(errs, at.Errorf("%s: %s names another commit than the lock's, %s: berry checks each package against the lock's checksum, so only the locked commit builds; pin %s (fetchGit), or change the dependency in %s and relock with %s",
			s.ID, by, src.Rev, src.Rev, t.manifest, t.relock))
	}
	return errors.Join(errs...)
}

// stalePinsError is --check's finding that the pins file holds entries
// the lockfile no longer needs.
type stalePinsError struct {
	name string
	err  error
}

func (e *stalePinsError) Error() string { return e.err.Error() }

// update prefetches what the sites still need, applies it, and rewrites
// the pins file name (whose bytes were old) with the new pins and without
// the unused ones. Pins that were fetched are written even when others
// failed, so that a rerun fetches only those.
func (pf *pinFlags) update(c *command, name string, old []byte, file *pins.File, sites []pins.Site, unused []pins.Entry, stderr io.Writer) error {
	f := &prefetch.Fetcher{}
	if !pf.quiet && isTerminal(stderr) {
		f.Progress = stderr
	}
	mode := prefetch.Unpinned
	if pf.prefetch == prefetchWeak {
		mode = prefetch.Weak
	}
	got, fetchErr := f.Pins(context.Background(), sites, mode, c.prefetchAlgo)
	if fetchErr != nil {
		fetchErr = fmt.Errorf("prefetching failed:\n%w", fetchErr)
	}
	got.Apply(sites)
	file.Merge(got)
	file.Delete(unused...)
	var buf bytes.Buffer
	if err := file.Encode(&buf); err != nil {
		return err
	}
	if bytes.Equal(buf.Bytes(), old) || (old == nil && file.Empty()) {
		return fetchErr
	}
	if _, err := writeAtomic(name, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
		return errors.Join(fetchErr, err)
	}
	if !pf.quiet || fetchErr != nil {
		fmt.Fprintf(stderr, "lock2nix %s: wrote %s: %s added, %s removed\n", c.name, name, plural(len(got.Entries()), "pin", "pins"), plural(len(unused), "pin", "pins"))
	}
	return fetchErr
}

// prefetchCommand is the command line that prefetches for the run in dir
// with the translation's flags.
func prefetchCommand(c *command, dir string, t *translation) string {
	args := []string{"lock2nix", c.name}
	if dir != "." {
		args = append(args, shell.Word(dir))
	}
	return strings.Join(append(append(args, t.flags...), "--prefetch"), " ")
}

// entryList lists pins file entries, one an indented line; a [tarball]
// entry at the URL of a GitHub archive (archives) says why it pins
// nothing.
func entryList(es []pins.Entry, archives map[string]bool) string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = "  " + e.String()
		if e.Table == "tarball" && archives[e.Key] {
			lines[i] += " (a hash of GitHub's archive's bytes, as an older lock2nix pinned it: the archive is now pinned by its files' hash, in [archive])"
		}
	}
	return strings.Join(lines, "\n")
}

// isTerminal reports whether w is a terminal, where progress is drawn.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// describe names a source for messages: a URL, or a git URL with its ref.
func describe(src lockfile.Source) string {
	if src.Kind == lockfile.Git {
		if src.Rev == "" {
			return "git " + src.URL + " (no commit)"
		}
		return "git " + src.URL + "#" + src.Rev
	}
	return src.URL
}
