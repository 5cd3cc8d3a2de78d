package main

import (
	"bytes"
	"os"
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
