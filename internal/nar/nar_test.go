package nar

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tree is a file tree to make: a path ("/"-separated, under the root)
// per entry; an entry ending in "/" is a directory, one starting "-> "
// a symbolic link to the rest, one starting "x " an executable file with
// the rest as its bytes, one starting "g " a file only its group may
// execute (mode 0654), anything else a file with those bytes.
type tree map[string]string

// make writes t under dir, which it creates.
func (t tree) make(tb testing.TB, dir string) {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for p, v := range t {
		full := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(p, "/")))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(p, "/"):
			err = os.MkdirAll(full, 0o755)
		case strings.HasPrefix(v, "-> "):
			err = os.Symlink(strings.TrimPrefix(v, "-> "), full)
		case strings.HasPrefix(v, "x "):
			err = os.WriteFile(full, []byte(strings.TrimPrefix(v, "x ")), 0o755)
		case strings.HasPrefix(v, "g "):
			if err = os.WriteFile(full, []byte(strings.TrimPrefix(v, "g ")), 0o644); err == nil {
				err = os.Chmod(full, 0o654) // past the umask
			}
		default:
			err = os.WriteFile(full, []byte(v), 0o644)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// trees are the cases both tests hash. want is the hash Nix 2.8 gave
// (`nix hash path`), kept so that the test holds without Nix too.
var trees = []struct {
	name string
	t    tree
	want string
}{
	{"one file", tree{"a": "hi\n"}, "sha256-h4gyzSK14DjhF7cBN4VY+Km2ytc4Gg5tV6noZdNPhaY="},
	{"empty", tree{}, "sha256-pQpattmS9VmO3ZIQUFn66az8GSmB4IvYhTTCFn6SUmo="},
	{"exec bits", tree{"bin/run": "x #!/bin/sh\necho run\n", "lib.js": "module.exports = 1;\n", "ro": "x ", "group": "g #!/bin/sh\n"}, "sha256-xJ7sV5FInpom3eZ/yeFmz/ABWhgIbYILsA80bJ+YkiQ="},
	{"symlinks", tree{"a": "text", "up/link": "-> ../a", "dangling": "-> nowhere/at/all", "abs": "-> /etc/hostname", "dir": "-> up"}, "sha256-iBcggTmxsp3EGTGKsxo738mIy/UFU0nJiEiRm0JkzCU="},
	{"empty dirs", tree{"e/": "", "f/g/h/": "", "f/x": ""}, "sha256-N3XLWdibikpvWq60SSMY5umjh1Izec5hBIDBhynnTlo="},
	{"unicode", tree{"é": "e acute", "z": "z", "日本/語": "nested", "Ω/": "", "a\tb": "tab"}, "sha256-/RB9xE0ym5P7vGkX/4/wRqQ63GT7BCMVeeh/kvegB7U="},
	{"byte order", tree{"B": "1", "a": "2", "a-b": "3", "a0": "4", "a.b": "5", "aB": "8", "_": "6", "~": "7"}, "sha256-2xO5CyYqJJwZoo2t5BBqu6ZE2TQ1xjyzxCztc/cWckE="},
	{"sizes", tree{"0": "", "7": "1234567", "8": "12345678", "9": "123456789", "big": strings.Repeat("0123456789", 10000)}, "sha256-4iRg7WOlasH+xrGKd/2shd6vFN099tQvY+ogm2rff8Y="},
	{"nested", tree{"p/q/r/s/t/u": "deep", "p/q/v": "x exec", "p/w/": "", "p/q/r/l": "-> s/t"}, "sha256-3sHNrPmALymEec9pcineToEbRQEiw9FrImD3SiZKndU="},
}

// TestArchiveBytes checks the NAR of a small tree byte for byte against
// one built by hand from the format's description.
func TestArchiveBytes(t *testing.T) {
	dir := t.TempDir()
	tree{"b": "x #!", "a/": "", "l": "-> b"}.make(t, dir)
	var want bytes.Buffer
	str := func(ss ...string) {
		for _, s := range ss {
			binary.Write(&want, binary.LittleEndian, uint64(len(s)))
			want.WriteString(s)
			want.Write(make([]byte, (8-len(s)%8)%8))
		}
	}
	str("nix-archive-1", "(", "type", "directory")
	str("entry", "(", "name", "a", "node", "(", "type", "directory", ")", ")")
	str("entry", "(", "name", "b", "node", "(", "type", "regular", "executable", "", "contents", "#!", ")", ")")
	str("entry", "(", "name", "l", "node", "(", "type", "symlink", "target", "b", ")", ")")
	str(")")
	var got bytes.Buffer
	if err := Write(&got, dir); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("NAR:\n got %q\nwant %q", got.Bytes(), want.Bytes())
	}
}

// TestArchiveHashKnown checks the hashes Nix gave, without Nix.
func TestArchiveHashKnown(t *testing.T) {
	for _, c := range trees {
		dir := filepath.Join(t.TempDir(), "root")
		c.t.make(t, dir)
		got, err := Hash(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != c.want {
			t.Errorf("%s: Hash = %s, want %s", c.name, got, c.want)
		}
	}
}

// TestArchiveHashMatchesNix is the contract with Nix: for every tree
// (and a file and a link as the root), Hash gives what `nix hash path`
// gives, the hash of a recursive fixed-output derivation. It skips
// without nix.
func TestArchiveHashMatchesNix(t *testing.T) {
	nix, err := exec.LookPath("nix")
	if err != nil {
		t.Skip("nix is not installed: the NAR hash is checked against known values only (TestArchiveHashKnown)")
	}
	base := t.TempDir()
	var paths []string
	for i, c := range trees {
		dir := filepath.Join(base, string(rune('a'+i)))
		c.t.make(t, dir)
		paths = append(paths, dir)
	}
	file := filepath.Join(base, "file")
	tree{"file": "x a file as the root\n"}.make(t, base)
	link := filepath.Join(base, "link")
	if err := os.Symlink("file", link); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, file, link)
	out, err := exec.Command(nix, append([]string{"--extra-experimental-features", "nix-command", "hash", "path", "--type", "sha256"}, paths...)...).Output()
	if err != nil {
		t.Fatalf("nix hash path: %v", err)
	}
	want := strings.Fields(string(out))
	var got []string
	for _, p := range paths {
		h, err := Hash(p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Hash differs from nix hash path (-nix +Hash):\n%s", diff)
	}
}

// TestArchiveRefusesSpecialFiles: a FIFO has no NAR form.
func TestArchiveRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if err := exec.Command("mkfifo", filepath.Join(dir, "fifo")).Run(); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, err := Hash(dir); err == nil || !strings.Contains(err.Error(), "cannot archive") {
		t.Errorf("Hash of a tree with a FIFO: err = %v, want cannot archive", err)
	}
}
