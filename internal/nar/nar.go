// Package nar writes a file tree as Nix's archive format (NAR) and hashes
// it: the hash Nix gives a fixed-output derivation with outputHashMode
// "recursive" (fetchzip, fetchFromGitHub), which lock2nix pins for a
// source it fetches unpacked. A NAR holds only what Nix keeps of a tree:
// regular files with their bytes and whether the owner may execute them,
// symbolic links with their targets, and directories with their entries
// sorted byte-wise by name; no times, owners or other mode bits. So the
// hash of the same files is the same however an archive packed them.
package nar

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lock2nix/lock2nix/lockfile"
)

// Hash returns the sha256 of the NAR of the tree at path, as
// `nix hash path` and a recursive fixed-output derivation compute it.
func Hash(path string) (lockfile.Hash, error) {
	h := sha256.New()
	if err := Write(h, path); err != nil {
		return lockfile.Hash{}, err
	}
	return lockfile.Hash{Algo: lockfile.SHA256, Digest: h.Sum(nil)}, nil
}

// Write writes the NAR of the tree at path to w. A symbolic link is
// written as a link, never followed, path itself included. A file that is
// none of a regular file, a link or a directory (a device, a socket, a
// FIFO) is an error, as it is to Nix.
func Write(w io.Writer, path string) error {
	e := &encoder{w: w}
	e.str("nix-archive-1")
	e.node(path)
	return e.err
}

// encoder writes a NAR, keeping the first error.
type encoder struct {
	w   io.Writer
	err error
	buf [8]byte
}

// num writes n as 8 bytes, little-endian.
func (e *encoder) num(n uint64) {
	if e.err != nil {
		return
	}
	binary.LittleEndian.PutUint64(e.buf[:], n)
	_, e.err = e.w.Write(e.buf[:])
}

// str writes s: its length, its bytes, and zeros up to a multiple of 8.
func (e *encoder) str(s string) {
	e.num(uint64(len(s)))
	if e.err != nil {
		return
	}
	if _, e.err = io.WriteString(e.w, s); e.err == nil {
		e.pad(uint64(len(s)))
	}
}

// pad writes the zeros that bring n bytes to a multiple of 8.
func (e *encoder) pad(n uint64) {
	if e.err == nil && n%8 != 0 {
		var zero [8]byte
		_, e.err = e.w.Write(zero[:8-n%8])
	}
}

// node writes the file at path: ( type … ).
func (e *encoder) node(path string) {
	if e.err != nil {
		return
	}
	fi, err := os.Lstat(path)
	if err != nil {
		e.err = err
		return
	}
	e.str("(")
	e.str("type")
	switch m := fi.Mode(); {
	case m.IsRegular():
		e.str("regular")
		// Nix keeps the owner's execute bit alone.
		if m.Perm()&0o100 != 0 {
			e.str("executable")
			e.str("")
		}
		e.str("contents")
		e.file(path, fi.Size())
	case m&os.ModeSymlink != 0:
		target, err := os.Readlink(path)
		if err != nil {
			e.err = err
			return
		}
		e.str("symlink")
		e.str("target")
		e.str(target)
	case m.IsDir():
		e.str("directory")
		ents, err := os.ReadDir(path)
		if err != nil {
			e.err = err
			return
		}
		// os.ReadDir sorts by name, byte-wise (Go compares strings by
		// bytes), as Nix does.
		for _, d := range ents {
			n := d.Name()
			e.str("entry")
			e.str("(")
			e.str("name")
			e.str(n)
			e.str("node")
			e.node(filepath.Join(path, n))
			e.str(")")
		}
	default:
		e.err = fmt.Errorf("nar: %s: cannot archive a %s", path, m.Type())
		return
	}
	e.str(")")
}

// file writes the regular file at path, of size bytes, as a NAR string.
func (e *encoder) file(path string, size int64) {
	if e.err != nil {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		e.err = err
		return
	}
	defer f.Close()
	e.num(uint64(size))
	if e.err != nil {
		return
	}
	n, err := io.Copy(e.w, io.LimitReader(f, size))
	if err == nil && n != size {
		err = fmt.Errorf("nar: %s changed while it was read", path)
	}
	if err != nil {
		e.err = err
		return
	}
	e.pad(uint64(size))
}
