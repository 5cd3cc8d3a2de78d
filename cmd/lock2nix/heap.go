package main

import (
	"os"

	"github.com/lock2nix/lock2nix/internal/hugepages"
)

// reserveHeapFor puts the run's heap on huge pages when the lockfile at
// path is 512 KiB or more. A large lockfile's run faults in thousands of
// small heap pages: a fifth of npm's CPU time, half of pnpm's and yarn's;
// on huge pages a few (internal/hugepages, docs/benchmarks.md). Setting
// that up takes one early collection (about 3 ms), more than a small
// lockfile's whole heap costs. 64 MiB holds the whole run of the largest
// lockfiles measured; a heap beyond grows on small pages, as before.
func reserveHeapFor(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Size() >= 512<<10 {
		hugepages.Reserve(64 << 20)
	}
}
