//go:build !unix

package main

import "os"

// readInput returns the contents of name and a function that releases
// them.
func readInput(name string) ([]byte, func(), error) {
	data, err := os.ReadFile(name)
	return data, func() {}, err
}
