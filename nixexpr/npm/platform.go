package npm

import "slices"

// A Host is a Nix system in npm's names for it (Node's process.platform
// and process.arch, and the C library on Linux), as the builders' host
// table (../node/modules.nix) names it; TestPlatformContract keeps the
// two equal.
type Host struct {
	System, OS, CPU, Libc string
}

// Hosts are the systems lock2nix's flake builds for.
var Hosts = []Host{
	{"x86_64-linux", "linux", "x64", "glibc"},
	{"aarch64-linux", "linux", "arm64", "glibc"},
	{"x86_64-darwin", "darwin", "x64", ""},
	{"aarch64-darwin", "darwin", "arm64", ""},
}

// Allows is npm's platform rule for one os, cpu or libc list, which the
// builders (Nix and JS) apply too: a host with the name value is allowed
// when some listed name is value (or none is listed, or only "any"), and
// no "!value" is listed. A host without a name in the list's field
// (value "": the C library off Linux) is refused by any list, "any" and
// "!musl" included, as npm-install-checks refuses a libc list wherever
// it finds no C library. TestPlatformContract checks the three against
// each other.
func Allows(list []string, value string) bool {
	if len(list) == 0 {
		return true
	}
	if value == "" {
		return false
	}
	if len(list) == 1 && list[0] == "any" {
		return true
	}
	pos := false
	for _, x := range list {
		if len(x) > 0 && x[0] == '!' {
			if x[1:] == value {
				return false
			}
		} else {
			pos = true
		}
	}
	return !pos || slices.Contains(list, value)
}

// Supports reports whether h installs a package with these os, cpu and
// libc lists.
func (h Host) Supports(os, cpu, libc []string) bool {
	return Allows(os, h.OS) && Allows(cpu, h.CPU) && Allows(libc, h.Libc)
}
