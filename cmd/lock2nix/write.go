package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
)

// writeAtomic replaces name with what emit writes, so that readers see the
// old file or the new one, never a part; on failure the old file is left
// as it was. A regular file that already holds the text is left alone (and
// its time): the text is compared with it as it comes, and a temporary
// file beside name is started at the first difference, never holding the
// text whole in memory. It reports whether it wrote.
func writeAtomic(name string, emit func(io.Writer) error) (written bool, err error) {
	r := &replacer{name: name, mode: 0o644}
	if fi, err := os.Stat(name); err == nil {
		if !fi.Mode().IsRegular() {
			// A device or pipe (-o /dev/null, a FIFO) is written to,
			// never replaced, and only once the whole text is made.
			var buf bytes.Buffer
			if err := emit(&buf); err != nil {
				return false, err
			}
			return true, os.WriteFile(name, buf.Bytes(), 0)
		}
		r.mode = fi.Mode().Perm()
		if f, err := os.Open(name); err == nil {
			r.old = f
			defer f.Close()
		}
	}
	defer func() {
		if err != nil && r.tmp != nil {
			r.tmp.Close()
			os.Remove(r.tmp.Name())
		}
	}()
	if err := emit(r); err != nil {
		return false, err
	}
	if r.tmp == nil {
		if r.old != nil && r.oldEnded() {
			return false, nil
		}
		if err := r.start(); err != nil {
			return false, err
		}
	}
	if err := r.tmp.Chmod(r.mode); err != nil {
		return false, err
	}
	if err := r.tmp.Close(); err != nil {
		return false, err
	}
	return true, os.Rename(r.tmp.Name(), name)
}

// replacer is the writer writeAtomic gives emit: it compares the text
// with the old file while they agree, then writes a temporary file.
type replacer struct {
	name string
	mode os.FileMode
	// old is the file being replaced, read as far as the text matches it;
	// same bytes of it matched. Nil when there is none to compare with.
	old  *os.File
	same int64
	// block holds what is read of old.
	block []byte
	// tmp is the new file, once the text differs.
	tmp *os.File
}

func (r *replacer) Write(p []byte) (int, error) {
	if r.tmp == nil && r.old != nil {
		if r.matches(p) {
			r.same += int64(len(p))
			return len(p), nil
		}
	}
	if r.tmp == nil {
		if err := r.start(); err != nil {
			return 0, err
		}
	}
	return r.tmp.Write(p)
}

// matches reports whether old goes on with p.
func (r *replacer) matches(p []byte) bool {
	if r.block == nil {
		r.block = make([]byte, 64<<10)
	}
	for len(p) > 0 {
		n, err := io.ReadFull(r.old, r.block[:min(len(r.block), len(p))])
		if err != nil || !bytes.Equal(r.block[:n], p[:n]) {
			return false
		}
		p = p[n:]
	}
	return true
}

// oldEnded reports whether nothing of old is left after what matched.
func (r *replacer) oldEnded() bool {
	n, _ := r.old.Read(make([]byte, 1))
	return n == 0
}

// start makes the temporary file, holding the part of the text that
// matched old.
func (r *replacer) start() error {
	tmp, err := os.CreateTemp(filepath.Dir(r.name), "."+filepath.Base(r.name)+".tmp*")
	if err != nil {
		return err
	}
	r.tmp = tmp
	if r.same > 0 {
		if _, err := io.Copy(tmp, io.NewSectionReader(r.old, 0, r.same)); err != nil {
			return err
		}
	}
	return nil
}

// fileHolds reports whether the regular file name holds what emit writes,
// compared as the text comes; false, without running emit, when it is
// missing or cannot be read.
func fileHolds(name string, emit func(io.Writer) error) (bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return false, nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false, nil
	}
	r := &replacer{old: f}
	same := true
	err = emit(writerFunc(func(p []byte) (int, error) {
		same = same && r.matches(p)
		return len(p), nil
	}))
	return same && r.oldEnded(), err
}

// writerFunc is a function as an io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
