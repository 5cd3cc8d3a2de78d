package yarnlock

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestProjectFiles checks which project files ParseFS records as those
// yarn reads when it installs, with their sha256 (empty: absent): the
// lockfile, the root's and each workspace's package.json, and the
// settings files of the lock's yarn (yarn 1: .npmrc, .yarnclean,
// .yarnrc; berry: .yarnrc.yml), whether or not present; nothing else.
func TestProjectFiles(t *testing.T) {
	classicLock := classicHeader + "a@^1.0.0:\n  version \"1.0.0\"\n  resolved \"https://registry.npm.test/a/-/a-1.0.0.tgz#0000000000000000000000000000000000000000\"\n"
	berryLock := "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\"root@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"root@workspace:.\"\n  languageName: unknown\n  linkType: soft\n"
	sum := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])
	}
	for _, c := range []struct {
		name string
		fsys fstest.MapFS
		want map[string]string
	}{
		{"classic", fstest.MapFS{
			"yarn.lock":    {Data: []byte(classicLock)},
			"package.json": {Data: []byte(`{"name":"root","dependencies":{"a":"^1.0.0"}}`)},
			".yarnrc":      {Data: []byte("network-timeout 1000\n")},
			".yarnrc.yml":  {Data: []byte("nodeLinker: pnp\n")},
			"README.md":    {Data: []byte("not read\n")},
		}, map[string]string{
			"yarn.lock":    sum(classicLock),
			"package.json": sum(`{"name":"root","dependencies":{"a":"^1.0.0"}}`),
			".yarnrc":      sum("network-timeout 1000\n"),
			".npmrc":       "", ".yarnclean": "",
		}},
		{"classic workspaces", fstest.MapFS{
			"yarn.lock":                {Data: []byte(classicLock)},
			"package.json":             {Data: []byte(`{"private":true,"workspaces":["packages/*"]}`)},
			"packages/w/package.json":  {Data: []byte(`{"name":"w"}`)},
			"packages/x/index.js":      {Data: []byte("no package.json: not a workspace\n")},
			".npmrc":                   {Data: []byte("")},
			"packages/w/.yarnrc":       {Data: []byte("not read: yarn runs at the root\n")},
			"packages/w/nested/a.json": {Data: []byte("{}")},
		}, map[string]string{
			"yarn.lock":               sum(classicLock),
			"package.json":            sum(`{"private":true,"workspaces":["packages/*"]}`),
			"packages/w/package.json": sum(`{"name":"w"}`),
			".npmrc":                  sum(""),
			".yarnclean":              "", ".yarnrc": "",
		}},
		{"berry", fstest.MapFS{
			"yarn.lock":    {Data: []byte(berryLock)},
			"package.json": {Data: []byte(`{"name":"root"}`)},
			".yarnrc":      {Data: []byte("not read by berry\n")},
			".npmrc":       {Data: []byte("not read by berry\n")},
		}, map[string]string{
			"yarn.lock":    sum(berryLock),
			"package.json": sum(`{"name":"root"}`),
			".yarnrc.yml":  "",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := ParseFS(c.fsys, Options{Registry: "https://registry.npm.test/"})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			prev := ""
			for _, f := range l.ProjectFiles {
				if f.Path <= prev {
					t.Errorf("%q after %q: not sorted", f.Path, prev)
				}
				prev = f.Path
				got[f.Path] = hex.EncodeToString(f.SHA256)
				if f.SHA256 != nil && len(f.SHA256) != sha256.Size {
					t.Errorf("%s: a hash of %d bytes", f.Path, len(f.SHA256))
				}
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("ProjectFiles (-want +got):\n%s", diff)
			}
		})
	}
}
