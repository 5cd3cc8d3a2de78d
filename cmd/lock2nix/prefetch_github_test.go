package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/fetchtest"
)

// codeloadTo sends the requests of this process for codeload.github.com
// to srv until the test ends, other hosts' as before. The test must not
// be parallel: it swaps http.DefaultTransport, which the Fetcher's
// default client uses.
func codeloadTo(t *testing.T, srv *fetchtest.Server) {
	to, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	orig := http.DefaultTransport
	http.DefaultTransport = roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host == "codeload.github.com" {
			r = r.Clone(r.Context())
			r.URL.Scheme, r.URL.Host, r.Host = to.Scheme, to.Host, ""
		}
		return orig.RoundTrip(r)
	})
	t.Cleanup(func() { http.DefaultTransport = orig })
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestPrefetchGitHubArchiveFromTarballPin: a pins file written before
// GitHub archives were pinned by their files holds a [tarball] entry, a
// hash of the archive's bytes, at the archive's URL. It pins nothing now:
// the run says what it is and stops on the archive; --check fails; one
// --prefetch replaces it with the [archive] hash of the files, after
// which runs are offline and --check is green.
func TestPrefetchGitHubArchiveFromTarballPin(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	const archive = "https://codeload.github.com/o/stay/tar.gz/" + commit
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, h := range []*tar.Header{
		{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": commit}},
		{Typeflag: tar.TypeDir, Name: "stay-" + commit + "/", Mode: 0o775},
		{Typeflag: tar.TypeReg, Name: "stay-" + commit + "/package.json", Mode: 0o664, Size: int64(len(`{"name":"stay"}`))},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
	}
	tw.Write([]byte(`{"name":"stay"}`))
	tw.Close()
	zw.Close()
	srv := fetchtest.NewServer(t, map[string]string{"/o/stay/tar.gz/" + commit: b.String()})
	codeloadTo(t, srv)

	dir := t.TempDir()
	pinsFile := filepath.Join(dir, "lock2nix-pins.toml")
	writeFiles(t, dir, map[string]string{
		"package.json": `{"name": "p", "version": "1.0.0", "dependencies": {"stay": "github:o/stay"}}`,
		"package-lock.json": `{"name": "p", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {
  "": {"name": "p", "version": "1.0.0", "dependencies": {"stay": "github:o/stay"}},
  "node_modules/stay": {"version": "0.0.4", "resolved": "git+ssh://git@github.com/o/stay.git#` + commit + `"}}}
`,
		"lock2nix-pins.toml": "[tarball]\n\"" + archive + "\" = { hash = \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUe1UNo7lJjCdRA29w==\" }\n",
	})
	oldEntry := `[tarball] "` + archive + `" (a hash of GitHub's archive's bytes, as an older lock2nix pinned it: the archive is now pinned by its files' hash, in [archive])`

	code, stderr := lock2nix(t, "npm", dir)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	mustContain(t, "stderr", stderr, "  "+oldEntry+"\n", "stay@0.0.4: https://github.com/o/stay.git#"+commit+" (as "+archive+")")
	code, stderr = lock2nix(t, "npm", dir, "--check")
	if code != exitFailure {
		t.Fatalf("--check: exit %d, want 1; stderr:\n%s", code, stderr)
	}
	mustContain(t, "--check's stderr", stderr, "  "+oldEntry+"\n")
	if n := srv.Requests(); n != 0 {
		t.Fatalf("offline runs made %d requests", n)
	}

	if code, stderr = lock2nix(t, "npm", dir, "--prefetch"); code != exitOK {
		t.Fatalf("--prefetch: exit %d; stderr:\n%s", code, stderr)
	}
	if n := srv.Requests(); n != 1 {
		t.Errorf("--prefetch made %d requests, want 1", n)
	}
	pins := readFile(t, pinsFile)
	if strings.Contains(pins, "\n[tarball]") || !strings.Contains(pins, "[archive]\n\""+archive+"\" = \"sha256-") {
		t.Errorf("the pins file after --prefetch:\n%s", pins)
	}
	srv.Reset()
	for _, args := range [][]string{{"npm", dir}, {"npm", dir, "--check"}} {
		if code, stderr := lock2nix(t, args...); code != exitOK || stderr != "" {
			t.Fatalf("%v: exit %d; stderr:\n%s", args, code, stderr)
		}
	}
	if n := srv.Requests(); n != 0 {
		t.Errorf("%d requests after --prefetch, want none", n)
	}
	mustContain(t, "package-lock.nix", readFile(t, filepath.Join(dir, "package-lock.nix")), `url = "`+archive+`";`, `unpack = "tar.gz";`)
}
