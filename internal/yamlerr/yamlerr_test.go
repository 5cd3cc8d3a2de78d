package yamlerr

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestAt(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"syntax", "a: [\n", "f.yaml:1:1: invalid YAML: did not find expected node content"},
		// The library's own bound on nesting, which the readers rely
		// on: an error at the line, never a stack overflow.
		{"deep flow", "a:\n  " + strings.Repeat("[", 1<<20), "f.yaml:2:1: invalid YAML: exceeded max depth of 10000"},
		// Where it names no line, the error names the file alone.
		{"deep blocks on a line", strings.Repeat("- ", 20000) + "x\n", "f.yaml: invalid YAML: exceeded max depth of 10000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n yaml.Node
			err := yaml.Unmarshal([]byte(tc.in), &n)
			if err == nil {
				t.Fatal("no error")
			}
			if got := At("f.yaml", err).Error(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
