// Package pins holds the pins file, lock2nix-pins.toml: the hashes and
// commits of the sources a lockfile leaves without a strong hash or a
// commit, kept beside the lockfile so that generating Nix stays offline.
//
// The file has four tables, each optional:
//
//	[pins]     # git sources by package name, whatever the lock names
//	piaf = "<commit>"
//
//	[git]      # git sources by URL and the ref the lock names ("URL#ref")
//	"https://github.com/ocaml/ocamlbuild.git#without-examples" = "<commit>"
//
//	[tarball]  # archives by URL: a strong hash, and the lock's weak one it upgrades
//	"https://registry.example/a/-/a-1.0.0.tgz" = { hash = "sha512-…" }
//	"https://example.org/b.tar.gz" = { hash = "sha256-…", weak = "md5-…" }
//
//	[archive]  # git hosts' archives of commits by URL: the hash of the unpacked files
//	"https://codeload.github.com/o/r/tar.gz/<commit>" = "sha256-…"
//
// An [archive] hash is not of the archive's bytes, which GitHub makes anew
// on each download and has changed before (its compression, in 2023), but
// of its files without the one top folder, as Nix hashes a folder (the NAR
// hash of nixpkgs' fetchzip, fetchFromGitHub and `nix hash path`). It
// has its own table because it means another thing than a [tarball] hash:
// an archive's pin would fail any fetch of the other kind.
//
// [Encode] writes the tables in that order with sorted keys, so the file
// is the same bytes for the same pins and reads well in a diff.
package pins

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/lockfile"
)

// FileName is the pins file's name, in the folder of the lockfile.
const FileName = "lock2nix-pins.toml"

// File is the content of a pins file.
type File struct {
	// Names pins the git sources of packages by name to a commit.
	Names map[string]string
	// Git pins git sources by [GitKey] to a commit.
	Git map[string]string
	// Tarballs pins archives by URL.
	Tarballs map[string]Tarball
	// Archives pins git hosts' archives of commits (lockfile.Source.Repo)
	// by URL, with the hash of their files unpacked (NAR, fetchzip's).
	Archives map[string]lockfile.Hash
}

// Tarball is an archive's pin.
type Tarball struct {
	// Hash is the archive's strong hash.
	Hash lockfile.Hash
	// Weak is the lock's md5 or sha1 hash that the archive was checked
	// against when Hash was recorded; zero when the lock had no hash.
	Weak lockfile.Hash
}

// New returns an empty File.
func New() *File {
	return &File{Names: map[string]string{}, Git: map[string]string{}, Tarballs: map[string]Tarball{}, Archives: map[string]lockfile.Hash{}}
}

// GitKey is the [File.Git] key of a git source: its URL, and "#ref" when
// the lock names a branch or tag.
func GitKey(url, ref string) string {
	if ref == "" {
		return url
	}
	return url + "#" + ref
}

// Parse reads a pins file; name is its path, for messages. Unknown tables
// and keys, hashes that are not SRI, weak hashes as pins and commits that
// are not full ids are errors.
func Parse(name string, data []byte) (*File, error) {
	var raw struct {
		Pins    map[string]string
		Git     map[string]string
		Tarball map[string]struct{ Hash, Weak string }
		Archive map[string]string
	}
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var errs []error
	// Each message is one line: a key is shown as the file writes it, and
	// what still does not print is escaped, as in lockfile.Error.
	bad := func(format string, args ...any) {
		errs = append(errs, errors.New(oneline.Escape(fmt.Sprintf("%s: "+format, append([]any{name}, args...)...))))
	}
	// An unknown table is reported once, not again for each of its keys.
	var unknown []string
	for _, k := range md.Undecoded() {
		if !slices.ContainsFunc(unknown, func(u string) bool { return strings.HasPrefix(k.String(), u+".") }) {
			unknown = append(unknown, k.String())
			bad("unknown key %s: want [pins], [git], [tarball] or [archive] entries", k)
		}
	}
	f := New()
	for _, k := range slices.Sorted(maps.Keys(raw.Pins)) {
		if v := raw.Pins[k]; !lockfile.IsCommit(v) {
			bad("[pins] %s = %q is not a full commit id", key(k), v)
		}
		f.Names[k] = raw.Pins[k]
	}
	for _, k := range slices.Sorted(maps.Keys(raw.Git)) {
		if v := raw.Git[k]; !lockfile.IsCommit(v) {
			bad("[git] %q = %q is not a full commit id", k, v)
		}
		f.Git[k] = raw.Git[k]
	}
	for _, k := range slices.Sorted(maps.Keys(raw.Tarball)) {
		e := raw.Tarball[k]
		var t Tarball
		var err error
		if t.Hash, err = lockfile.ParseSRI(e.Hash); err != nil {
			bad("[tarball] %q: hash: %v", k, err)
		} else if t.Hash.Algo.Weak() {
			bad("[tarball] %q: hash %s is weak: want sha256 or stronger", k, e.Hash)
		}
		if e.Weak != "" {
			if t.Weak, err = lockfile.ParseSRI(e.Weak); err != nil {
				bad("[tarball] %q: weak: %v", k, err)
			}
		}
		f.Tarballs[k] = t
	}
	for _, k := range slices.Sorted(maps.Keys(raw.Archive)) {
		h, err := lockfile.ParseSRI(raw.Archive[k])
		if err != nil {
			bad("[archive] %q: %v", k, err)
		} else if h.Algo.Weak() {
			bad("[archive] %q: hash %s is weak: want sha256 or stronger", k, raw.Archive[k])
		}
		f.Archives[k] = h
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return f, nil
}

// header opens every file Encode writes.
const header = `# Hashes and commits for the sources the lockfile leaves without a strong
# hash or a commit. "lock2nix npm --prefetch" (or dune) adds [git],
# [tarball] and [archive] entries and removes those the lock no longer
# needs; [pins] (git sources by package name) is written by hand.
`

// Encode writes f: the header, then [pins], [git], [tarball] and
// [archive] with sorted keys, empty tables left out.
func (f *File) Encode(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString(header)
	table := func(name string, keys []string, value func(k string) string) {
		if len(keys) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n[%s]\n", name)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s = %s\n", key(k), value(k))
		}
	}
	table("pins", slices.Sorted(maps.Keys(f.Names)), func(k string) string { return quote(f.Names[k]) })
	table("git", slices.Sorted(maps.Keys(f.Git)), func(k string) string { return quote(f.Git[k]) })
	table("tarball", slices.Sorted(maps.Keys(f.Tarballs)), func(k string) string {
		t := f.Tarballs[k]
		if t.Weak.IsZero() {
			return "{ hash = " + quote(t.Hash.String()) + " }"
		}
		return "{ hash = " + quote(t.Hash.String()) + ", weak = " + quote(t.Weak.String()) + " }"
	})
	table("archive", slices.Sorted(maps.Keys(f.Archives)), func(k string) string { return quote(f.Archives[k].String()) })
	_, err := w.Write(b.Bytes())
	return err
}

// Empty reports whether f pins nothing.
func (f *File) Empty() bool {
	return len(f.Names) == 0 && len(f.Git) == 0 && len(f.Tarballs) == 0 && len(f.Archives) == 0
}

// key writes a TOML key: bare when it may be, else quoted.
func key(k string) string {
	if k != "" && strings.Trim(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == "" {
		return k
	}
	return quote(k)
}

// quote writes a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
