package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/pins"
	"github.com/lock2nix/lock2nix/prefetch"
)

// TestGitHubArchivePrefetchMatchesNix is the contract of --prefetch's
// hash of a GitHub archive with Nix: the hash the Fetcher records for an
// archive (served here as codeload would serve it) is the one Nix checks
// the archive's files against, unpacked by Nix itself
// (builtins.fetchTarball, which strips the one top folder as fetchzip
// does and checks the NAR hash) and by the nixpkgs stand-in's fetchzip
// (GNU tar; the builds of the other GitHub tests take its output from the
// store). The archive has what a repository's files may have: an
// executable, links, an empty folder, non-ASCII names, deep folders.
func TestGitHubArchivePrefetchMatchesNix(t *testing.T) {
	need(t, "nix-build", "nix-instantiate")
	const commit = "1111111111111111111111111111111111111111"
	data := githubStyleArchive(t, "gitdep-"+commit+"/", []tarMember{
		{name: "", typ: tar.TypeDir, mode: 0o775},
		{name: "package.json", typ: tar.TypeReg, mode: 0o664, body: `{"name": "gitdep", "version": "1.0.0", "bin": "bin/run"}` + "\n"},
		{name: "bin/", typ: tar.TypeDir, mode: 0o775},
		{name: "bin/run", typ: tar.TypeReg, mode: 0o775, body: "#!/usr/bin/env node\nconsole.log('run');\n"},
		{name: "bin/self", typ: tar.TypeSymlink, mode: 0o777, body: "run"},
		{name: "docs", typ: tar.TypeSymlink, mode: 0o777, body: "lib"},
		{name: "lib/", typ: tar.TypeDir, mode: 0o775},
		{name: "lib/index.js", typ: tar.TypeReg, mode: 0o664, body: "module.exports = 1;\n"},
		{name: "lib/é 日本.md", typ: tar.TypeReg, mode: 0o664, body: "unicode\n"},
		{name: "empty/", typ: tar.TypeDir, mode: 0o775},
		{name: "a/b/c/d.txt", typ: tar.TypeReg, mode: 0o664, body: "deep\n"},
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/lock2nix-test/gitdep/tar.gz/"+commit {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	defer srv.Close()
	src := lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/lock2nix-test/gitdep/tar.gz/" + commit, Repo: githubRepo, Rev: commit}
	f := &prefetch.Fetcher{Client: srv.Client()}
	got, err := f.Pins(context.Background(), []pins.Site{{ID: "gitdep@1.0.0", Name: "gitdep", Source: &src}}, prefetch.Unpinned, lockfile.SHA512)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := got.Archives[src.URL]
	if !ok || h.Algo != lockfile.SHA256 {
		t.Fatalf("the Fetcher pinned no sha256 for the archive: %+v", got)
	}

	file := filepath.Join(nixReadableTempDir(t), commit+".tar.gz")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + file
	// Nix's own unpacking: an error unless the files' NAR hash is h.
	out := runIn(t, ".", nil, "nix-instantiate", "--eval", "-E",
		`builtins.fetchTarball { url = "`+url+`"; sha256 = "`+hex.EncodeToString(h.Digest)+`"; }`)
	t.Logf("builtins.fetchTarball: %s", out)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Log("curl is not installed: the stand-in's fetchzip, which downloads with it, is not run")
		return
	}
	// The stand-in's fetchzip, as the builds call it but under another
	// name: fetchTarball's path is the one fetchzip's would be, and Nix
	// would not run the builder for a path it has.
	out = runIn(t, ".", nil, "nix-build", "--no-out-link", "-E",
		`(import `+standin+` { }).fetchzip { url = "`+url+`"; hash = "`+h.String()+`"; extension = "tar.gz"; name = "gitdep-fetchzip"; }`)
	if !strings.HasSuffix(out, "-gitdep-fetchzip") {
		t.Errorf("the stand-in's fetchzip built %s", out)
	}
}

// tarMember is one member of githubStyleArchive's tar, its name under the
// top folder.
type tarMember struct {
	name string
	typ  byte
	mode int64
	body string // a file's bytes, a link's target
}

// githubStyleArchive makes a gzipped tar as GitHub makes one: a global
// header with a comment, then every member under the folder top.
func githubStyleArchive(t *testing.T, top string, ms []tarMember) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": strings.TrimSuffix(top, "/")}}); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		h := &tar.Header{Name: top + m.name, Typeflag: m.typ, Mode: m.mode, ModTime: time.Unix(1700000000, 0), Format: tar.FormatPAX}
		switch m.typ {
		case tar.TypeReg:
			h.Size = int64(len(m.body))
		case tar.TypeSymlink:
			h.Linkname = m.body
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if m.typ == tar.TypeReg {
			if _, err := tw.Write([]byte(m.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
