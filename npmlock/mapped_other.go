//go:build !linux

package npmlock

import "os"

// parseMapped maps files on Linux only (mapped_linux.go); elsewhere the
// caller reads them.
func parseMapped(f *os.File, parse func(text string) error) (mapped bool, err error) {
	return false, nil
}
