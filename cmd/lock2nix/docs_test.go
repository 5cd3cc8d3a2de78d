package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDocsFlags keeps the flag listings in docs/<command>.md true: each
// holds the command's --help flags, line for line.
func TestDocsFlags(t *testing.T) {
	for _, cmd := range []string{"npm", "yarn", "dune", "pnpm", "generate"} {
		var out bytes.Buffer
		if code := run([]string{cmd, "--help"}, &out, &bytes.Buffer{}); code != exitOK {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		_, flags, ok := strings.Cut(out.String(), "Flags:\n")
		if !ok {
			t.Fatalf("%s --help has no Flags section", cmd)
		}
		doc, err := os.ReadFile("../../docs/" + cmd + ".md")
		if err != nil {
			t.Fatal(err)
		}
		arg := "[DIR]"
		if cmd == "generate" {
			arg = "[ROOT]"
		}
		want := "```\nlock2nix " + cmd + " " + arg + " [flags]\n\n" + flags + "```\n"
		if !strings.Contains(string(doc), want) {
			t.Errorf("docs/%s.md does not list the flags --help gives; paste them in:\n%s", cmd, want)
		}
	}
}

// TestDocsReport keeps docs/report.md's two examples true: each is the
// golden report of the command the text names, run from the repository's
// root (the goldens are run from this folder, two levels down).
func TestDocsReport(t *testing.T) {
	doc, err := os.ReadFile("../../docs/report.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ golden, command, fence string }{
		{"dune-portable.txt", "`lock2nix dune testdata/dune/portable --report`", "```\n"},
		{"npm-git-dep.json", "`lock2nix npm testdata/npm/git-dep\n--report=json --registry https://registry.npm.test/`", "```json\n"},
	} {
		golden, err := os.ReadFile("testdata/golden/report/" + tc.golden)
		if err != nil {
			t.Fatal(err)
		}
		want := tc.fence + strings.ReplaceAll(string(golden), "../../testdata/", "testdata/") + "```\n"
		if !strings.Contains(string(doc), tc.command) || !strings.Contains(string(doc), want) {
			t.Errorf("docs/report.md does not show %s as testdata/golden/report/%s has it; paste it in:\n%s", tc.command, tc.golden, want)
		}
	}
}

// TestDocsReadmeExample keeps README.md's example data file true: its
// line count for testdata/example, and every line of the excerpt but
// those it shortens with "…", are what lock2nix npm writes for it.
func TestDocsReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run([]string{"npm", "../../testdata/example", "-o", "-"}, &out, &bytes.Buffer{}); code != exitOK {
		t.Fatalf("npm testdata/example: exit %d", code)
	}
	m := regexp.MustCompile(`\((\d+) for ` + "`testdata/example`" + `\)`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md no longer says how many lines testdata/example's file has")
	}
	if got := strconv.Itoa(strings.Count(out.String(), "\n")); got != string(m[1]) {
		t.Errorf("README.md says testdata/example's file has %s lines; it has %s", m[1], got)
	}
	_, excerpt, ok := strings.Cut(string(readme), "```nix\n# lock2nix npm data")
	if !ok {
		t.Fatal("README.md no longer shows an npm data file")
	}
	excerpt, _, _ = strings.Cut("# lock2nix npm data"+excerpt, "```")
	lines := map[string]bool{}
	for l := range strings.SplitSeq(out.String(), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	for l := range strings.SplitSeq(excerpt, "\n") {
		if l = strings.TrimSpace(l); !strings.Contains(l, "…") && !lines[l] {
			t.Errorf("README.md's example data file has %q, which lock2nix npm testdata/example does not write", l)
		}
	}
}
