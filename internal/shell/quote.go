// Package shell quotes text for POSIX shells, for the commands lock2nix
// prints and the build scripts it writes.
package shell

import "strings"

// Quote single-quotes s, so that the shell reads it as one word, exactly.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Word returns s as it stands when the shell reads it as one plain word
// (letters, digits and -_=./:@+,), else quoted: for commands shown to
// people.
func Word(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:@+,") == "" {
		return s
	}
	return Quote(s)
}
