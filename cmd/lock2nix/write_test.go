package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// text returns an emit func that writes s.
func text(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.nix")
	if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := writeAtomic(name, text("new")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(name)
	fi, _ := os.Stat(name)
	if string(got) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("got %q with mode %v, want \"new\" with the old file's mode 0600", got, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// A folder that cannot be written: the error comes back, nothing is
	// replaced.
	if _, err := writeAtomic(filepath.Join(dir, "missing", "out.nix"), text("x")); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
	// An emitter that fails halfway: the old file stays, and the part
	// written so far goes with the temporary file.
	failing := func(w io.Writer) error {
		io.WriteString(w, "part")
		return errors.New("broken")
	}
	if _, err := writeAtomic(name, failing); err == nil || err.Error() != "broken" {
		t.Errorf("writeAtomic = %v, want the emitter's error", err)
	}
	if got, _ := os.ReadFile(name); string(got) != "new" {
		t.Errorf("after a failed write the file holds %q, want \"new\"", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestWriteDevice: -o /dev/null writes to the device and must never
// replace it with a regular file.
func TestWriteDevice(t *testing.T) {
	fi, err := os.Stat(os.DevNull)
	if err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Skip("no /dev/null device")
	}
	if _, err := writeAtomic(os.DevNull, text("x")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Fatalf("%s is no longer a device: %v %v", os.DevNull, fi.Mode(), err)
	}
}

// chunks returns an emit func that writes s in pieces of n bytes, as the
// printer writes its blocks.
func chunks(s string, n int) func(io.Writer) error {
	return func(w io.Writer) error {
		for len(s) > 0 {
			k := min(n, len(s))
			if _, err := io.WriteString(w, s[:k]); err != nil {
				return err
			}
			s = s[k:]
		}
		return nil
	}
}

// TestWriteAtomicCompares: a file that holds the text is left alone, and
// one that differs anywhere (within a piece, at its end, longer, shorter)
// is replaced by the whole text.
func TestWriteAtomicCompares(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.nix")
	text := strings.Repeat("0123456789", 20000) // pieces beyond a read block
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, tt := range []struct {
		name, old string
		written   bool
	}{
		{"same", text, false},
		{"missing", "", true},
		{"differs early", "x" + text[1:], true},
		{"differs late", text[:len(text)-1] + "x", true},
		{"differs at a piece's start", text[:70000] + "x" + text[70001:], true},
		{"shorter", text[:len(text)-10], true},
		{"longer", text + "more", true},
		{"a prefix of a piece", text[:1000], true},
		{"empty", "\x00", true},
	} {
		os.Remove(name)
		if tt.name != "missing" {
			if err := os.WriteFile(name, []byte(strings.TrimSuffix(tt.old, "\x00")), 0o600); err != nil {
				t.Fatal(err)
			}
			os.Chtimes(name, old, old)
		}
		for _, piece := range []int{len(text), 65536, 1000, 7} {
			written, err := writeAtomic(name, chunks(text, piece))
			if err != nil {
				t.Fatal(err)
			}
			if written != tt.written && piece == len(text) || written && piece != len(text) {
				t.Errorf("%s, pieces of %d: written %v, want %v", tt.name, piece, written, tt.written && piece == len(text))
			}
			got, _ := os.ReadFile(name)
			if string(got) != text {
				t.Fatalf("%s, pieces of %d: the file holds %d bytes, not the text", tt.name, piece, len(got))
			}
			fi, _ := os.Stat(name)
			if !tt.written && !fi.ModTime().Equal(old) {
				t.Errorf("%s: the file was touched", tt.name)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("%s: temporary files left behind: %v", tt.name, entries)
			}
		}
	}
}

func TestFileHolds(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.nix")
	text := strings.Repeat("0123456789", 20000)
	for _, tt := range []struct {
		old  string
		want bool
	}{{text, true}, {text + "x", false}, {text[:len(text)-1], false}, {"x" + text[1:], false}, {"", false}} {
		os.WriteFile(name, []byte(tt.old), 0o600)
		for _, piece := range []int{len(text), 65536, 7} {
			if got, err := fileHolds(name, chunks(text, piece)); got != tt.want || err != nil {
				t.Errorf("old of %d bytes, pieces of %d: fileHolds = %v, %v; want %v", len(tt.old), piece, got, err, tt.want)
			}
		}
	}
	if got, err := fileHolds(filepath.Join(dir, "missing"), chunks(text, 7)); got || err != nil {
		t.Errorf("a missing file: fileHolds = %v, %v", got, err)
	}
	if _, err := fileHolds(name, func(io.Writer) error { return errors.New("broken") }); err == nil {
		t.Error("fileHolds hid the emitter's error")
	}
}
