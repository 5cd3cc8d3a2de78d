package dunelock

import (
	"os"
	"path/filepath"
	"testing"
)

var corpusDir = filepath.Join("..", "..", "shared", "corpus", "dune")

// TestCorpus reads every real lock directory of the corpus.
func TestCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("no corpus at %s (it lives in ../shared beside the repository): %v", corpusDir, err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			dir := filepath.Join(corpusDir, e.Name())
			// Two corpus packages are unpinned git dev pins; pin them.
			g, err := ParseFS(os.DirFS(dir), DefaultDir, Options{Pins: map[string]string{
				"piaf":              "0000000000000000000000000000000000000001",
				"textmate-language": "0000000000000000000000000000000000000002",
			}})
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Graph.Packages) == 0 {
				t.Fatal("no packages")
			}
			t.Logf("%d packages, compiler %s, %d platforms", len(g.Graph.Packages), g.Compiler, len(g.Platforms))
		})
	}
}
