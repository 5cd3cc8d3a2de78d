//go:build !linux

package hugepages

// Reserve does nothing here: the advice is Linux's.
func Reserve(size int) {}
