package yarnlock

import (
	"os"
	"path/filepath"
	"testing"
)

func TestScratchCorpus(t *testing.T) {
	dirs, _ := filepath.Glob("../../shared/corpus/js/*")
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "yarn.lock")); err != nil {
			continue
		}
		l, err := ParseFS(os.DirFS(d), Options{})
		if err != nil {
			t.Errorf("%s: %v", d, err)
			continue
		}
		kinds := map[string]int{}
		unpinned := 0
		for _, p := range l.Graph.Packages {
			kinds[p.Source.Kind.String()]++
			if !p.Source.Pinned() {
				unpinned++
			}
		}
		t.Logf("%s: %s v%d %d packages %v unpinned %d ws %v", filepath.Base(d), l.Format, l.Version, len(l.Graph.Packages), kinds, unpinned, len(l.Graph.Root.Workspaces))
	}
}
