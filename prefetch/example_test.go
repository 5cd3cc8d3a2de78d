package prefetch_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/pins"
	"github.com/lock2nix/lock2nix/prefetch"
)

// A generator hands its sources to a Fetcher with its own HTTP client,
// then applies the pins it gets back and keeps them for offline runs.
func ExampleFetcher_Pins() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "the archive's bytes")
	}))
	defer srv.Close()

	src := lockfile.Source{Kind: lockfile.Tarball, URL: srv.URL + "/a-1.0.0.tgz"}
	sites := []pins.Site{{ID: "a@1.0.0", Name: "a", Source: &src}}
	f := &prefetch.Fetcher{Client: srv.Client()}
	got, err := f.Pins(context.Background(), sites, prefetch.Unpinned, lockfile.SHA256)
	if err != nil {
		fmt.Println(err)
		return
	}
	got.Apply(sites)
	fmt.Println(src.Hash, src.FromPins)
	got.Tarballs = map[string]pins.Tarball{"https://x.test/a-1.0.0.tgz": got.Tarballs[src.URL]} // a stable key for the output
	got.Encode(os.Stdout)
	// Output:
	// sha256-ghF72pX0RVIZiuQBlnGhqUACSh/ruH2sUZ4TuO9HF40= true
	// # Hashes and commits for the sources the lockfile leaves without a strong
	// # hash or a commit. "lock2nix npm --prefetch" (or dune) adds [git],
	// # [tarball] and [archive] entries and removes those the lock no longer
	// # needs; [pins] (git sources by package name) is written by hand.
	//
	// [tarball]
	// "https://x.test/a-1.0.0.tgz" = { hash = "sha256-ghF72pX0RVIZiuQBlnGhqUACSh/ruH2sUZ4TuO9HF40=" }
}
