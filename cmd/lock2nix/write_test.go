package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
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
	if err := writeAtomic(name, text("new")); err != nil {
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
	if err := writeAtomic(filepath.Join(dir, "missing", "out.nix"), text("x")); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
	// An emitter that fails halfway: the old file stays, and the part
	// written so far goes with the temporary file.
	failing := func(w io.Writer) error {
		io.WriteString(w, "part")
		return errors.New("broken")
	}
	if err := writeAtomic(name, failing); err == nil || err.Error() != "broken" {
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
	if err := writeAtomic(os.DevNull, text("x")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Fatalf("%s is no longer a device: %v %v", os.DevNull, fi.Mode(), err)
	}
}
