//go:build unix

package main

import (
	"os"
	"syscall"
)

// readInput returns the contents of name and a function that releases
// them. Regular files are mapped rather than read: a lockfile runs to
// megabytes, and mapped pages come from the page cache instead of being
// copied into fresh memory. The parsers keep no reference to the bytes.
func readInput(name string) ([]byte, func(), error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if size := fi.Size(); fi.Mode().IsRegular() && size > 0 && int64(int(size)) == size {
		data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
		if err == nil {
			return data, func() { syscall.Munmap(data) }, nil
		}
	}
	data, err := os.ReadFile(name)
	return data, func() {}, err
}
