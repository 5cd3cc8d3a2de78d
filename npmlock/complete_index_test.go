package npmlock

import (
	"strings"
	"testing"
)

// FuzzResolveIndex holds the completeness walk's index of install paths
// (find, by folder and name hash) to Node's search spelled out by path
// (resolveOdd, which looks up dir/node_modules/name in each folder from
// the node up): for every node of a tree and every name, both find the
// same install, and the folder the search goes on from there.
func FuzzResolveIndex(f *testing.F) {
	for _, s := range []string{
		"node_modules/a node_modules/a/node_modules/b packages/w packages/w/node_modules/a",
		"node_modules/@s/c node_modules/@s/c/node_modules/@s/d node_modules/a/b/c node_modules/node_modules node_modules/node_modules/a",
		"node_modules/x/node_modules/a node_modules/a-node_modules node_modules/b/node_modules lib/node_modules/x lib lib/node_modules/x/node_modules/y",
		"node_modules/a/node_modules/b/node_modules/c node_modules/c node_modules/a/node_modules/c xnode_modules/a",
	} {
		f.Add(s, "a b c @s/c @s/d a/b a/b/c node_modules node_modules/a x/node_modules/a b/node_modules y")
	}
	f.Fuzz(func(t *testing.T, paths, names string) {
		nodes := map[string]*entry{"": {path: ""}}
		var order []*entry
		for _, p := range strings.Fields(paths) {
			if nodes[p] == nil {
				e := &entry{path: p}
				nodes[p] = e
				order = append(order, e)
			}
		}
		order = append(order, nodes[""])
		c := &completeness{nodes: nodes}
		c.index(order)
		for key := range nodes {
			for _, name := range strings.Fields(names) {
				if odd(name) {
					continue // resolve hands these to resolveOdd itself
				}
				got, _, gotFrom := c.resolve(c.from(key), key, name)
				want, _, wantFrom := c.resolveOdd(key, name)
				if got != want || gotFrom != wantFrom {
					t.Errorf("from %q, %q: index finds %q (then folder %d), by path %q (then folder %d)", key, name, got, gotFrom, want, wantFrom)
				}
			}
		}
	})
}
