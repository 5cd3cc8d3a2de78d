package dunelock

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

var duneTarball = filepath.Join("..", "..", "shared", "dune-sources", "tools", "dune-3.20.2.tar.gz")

// cramSnippet is a .pkg file a cram test of dune writes with a here
// document.
type cramSnippet struct {
	at   string // test file and line
	text string
}

// heredoc matches the command that starts a .pkg file's here document:
// cat > dune.lock/foo.pkg <<EOF, make_lockpkg foo <<'EOF', …
var heredoc = regexp.MustCompile(`^  \$ (?:cat\s*>\s*\S+\.pkg|make_lockpkg\s+\S+)\s*<<\s*('?)EOF'?\s*$`)

var md5sum = regexp.MustCompile(`\$\(md5sum [^)]*\)`)

// cramSnippets reads the .pkg here documents of dune's package cram tests
// (test/blackbox-tests/test-cases/pkg) from dune's source tarball. In an
// unquoted here document the shell expands $PWD and $(pwd): they become
// project, as the test's project folder.
func cramSnippets(t *testing.T, project string) []cramSnippet {
	f, err := os.Open(duneTarball)
	if err != nil {
		t.Skipf("no dune source tarball at %s (it lives in ../shared beside the repository): %v", duneTarball, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var out []cramSnippet
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg || !strings.Contains(h.Name, "/test/blackbox-tests/test-cases/pkg/") || !strings.HasSuffix(h.Name, ".t") {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		name := h.Name[strings.Index(h.Name, "test-cases/pkg/"):]
		lines := strings.Split(string(data), "\n")
		for i := 0; i < len(lines); i++ {
			m := heredoc.FindStringSubmatch(lines[i])
			if m == nil {
				continue
			}
			start := i + 1
			var body []string
			for i++; i < len(lines) && strings.HasPrefix(lines[i], "  >"); i++ {
				line := strings.TrimPrefix(strings.TrimPrefix(lines[i], "  >"), " ")
				if line == "EOF" {
					break
				}
				body = append(body, line)
			}
			text := strings.Join(body, "\n") + "\n"
			if m[1] == "" {
				text = strings.NewReplacer("$PWD", project, "${PWD}", project, "$(pwd)", project).Replace(text)
				// A checksum the test computes: any md5.
				text = md5sum.ReplaceAllString(text, "d41d8cd98f00b204e9800998ecf8427e")
			}
			if !strings.Contains(text, "(version") {
				// cat >> appends to the file dune solved, which holds
				// the version.
				text = "(version 0.0.1)\n" + text
			}
			out = append(out, cramSnippet{at: name + ":" + strconv.Itoa(start), text: text})
		}
	}
	return out
}

// TestCramSnippets reads every .pkg file dune's own package tests write.
// Those that name a local source at an absolute path inside the test's
// project (dune writes its local pins so) must read it as the relative
// path, where without the project's folder they stop; those whose path
// leaves the project must still stop.
func TestCramSnippets(t *testing.T) {
	const project = "/cram/project"
	snippets := cramSnippets(t, project)
	if len(snippets) < 100 {
		t.Fatalf("found %d snippets in %s, want 100 or more: has the tests' layout changed?", len(snippets), duneTarball)
	}
	var inside, only, escaping int
	for _, s := range snippets {
		if !strings.Contains(s.text, project) {
			continue
		}
		_, errWithout := parseSnippet(s.text, "")
		if !isOutside(errWithout) {
			continue // not a local source (git+file://…)
		}
		l, err := parseSnippet(s.text, project)
		if strings.Contains(s.text, project+"/..") {
			escaping++
			if !isOutside(err) {
				t.Errorf("%s: a path that leaves the project: want it to stop, got %v\n%s", s.at, err, s.text)
			}
			continue
		}
		inside++
		if isOutside(err) {
			t.Errorf("%s: a path inside the project: %v\n%s", s.at, err, s.text)
			continue
		}
		if !onlyOutside(errWithout) {
			// It stops for another reason too (a deliberate error of
			// the test): only the path is checked.
			t.Logf("%s: %v", s.at, errWithout)
			continue
		}
		only++
		if err != nil {
			t.Errorf("%s: %v\n%s", s.at, err, s.text)
			continue
		}
		for _, src := range l.LocalSources() {
			if strings.HasPrefix(src.Path, "/") {
				t.Errorf("%s: local source %s is still absolute", s.at, src.Path)
			}
		}
	}
	t.Logf("%d snippets; %d name local sources inside the project (%d stopped only on that before), %d a path that leaves it", len(snippets), inside, only, escaping)
	if only < 20 || escaping == 0 {
		t.Errorf("want 20 or more snippets stopped only by absolute paths inside the project and one or more leaving it, got %d and %d", only, escaping)
	}
}

// parseSnippet reads a snippet as the one package of a lock directory,
// with a stub for each package it depends on.
func parseSnippet(text, dir string) (*Lock, error) {
	fsys := fstest.MapFS{
		"dune.lock/lock.dune": {Data: []byte("(lang package 0.1)\n")},
		"dune.lock/a.pkg":     {Data: []byte(text)},
	}
	for {
		l, err := ParseFS(fsys, DefaultDir, Options{Dir: dir})
		m := missing.FindStringSubmatch(fmt.Sprint(err))
		if m == nil {
			return l, err
		}
		fsys["dune.lock/"+m[1]+".pkg"] = &fstest.MapFile{Data: []byte("(version 1)\n")}
	}
}

var missing = regexp.MustCompile(`depends on (\S+), which the lock directory does not hold`)

func isOutside(err error) bool {
	return err != nil && strings.Contains(err.Error(), "is outside the project")
}

// onlyOutside reports whether every error err holds is about a path
// outside the project.
func onlyOutside(err error) bool {
	if err == nil {
		return false
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			if !onlyOutside(e) {
				return false
			}
		}
		return true
	}
	return isOutside(err)
}
