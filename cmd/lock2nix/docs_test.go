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
	for _, cmd := range []string{"npm", "dune", "pnpm", "generate"} {
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
