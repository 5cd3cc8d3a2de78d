package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCorpusYarn translates every real-world yarn.lock in the corpus,
// classic and berry, and checks the result with real Nix: two runs give
// the same bytes, every source the lockfile names has one fetcher with
// the lockfile's hash, and the node_modules derivation instantiates with
// the nixpkgs stand-in. Berry locks pin no tarball (their checksums hash
// yarn's zips), so they are translated as after --prefetch: with a pins
// file that the test writes for every registry tarball (the hashes are
// made up; instantiating fetches nothing). Before that, each berry lock
// without pins must stop, naming every tarball where the lock states it,
// and pass with --allow-unpinned. The GitHub git dependencies (logseq's,
// prettier's) are fetched as GitHub's archive of their commit, whose hash
// only the pins file gives: without it each lock stops, naming them, and
// passes with --allow-unpinned (fetchGit at the commit, stubbed here,
// where GitHub is out of reach); the pins file then gives each archive a
// made-up hash as well.
func TestCorpusYarn(t *testing.T) {
	dirs := corpus(t, "js")
	needNix(t)
	for _, dir := range dirs {
		lock, err := os.ReadFile(filepath.Join(dir, "yarn.lock"))
		if err != nil {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			args := []string{"yarn", dir, "--registry", "https://registry.npm.test/", "--root", filepath.Dir(dir)}
			var want map[string]string // URL → hash ("" for git: the commit)
			berry := strings.Contains(string(lock), "\n__metadata:")
			if berry {
				want = berryURLs(string(lock))
			} else {
				want = classicURLs(string(lock))
			}
			// Without pins: berry's registry tarballs and every GitHub
			// archive stop the run.
			var tarballs []string
			if berry {
				for u := range want {
					if !strings.HasPrefix(u, "git ") {
						tarballs = append(tarballs, u)
					}
				}
			}
			archives := githubArchives(want)
			if len(tarballs) > 0 || len(archives) > 0 {
				unpinnedStopAndPass(t, args, tarballs, archives, instantiateYarn(dir))
			}
			pins := filepath.Join(t.TempDir(), "pins.toml")
			var b strings.Builder
			b.WriteString("[tarball]\n")
			for _, u := range slices.Sorted(slices.Values(tarballs)) {
				want[u] = fakeSHA512(u)
				fmt.Fprintf(&b, "%q = { hash = %q }\n", u, want[u])
			}
			// A GitHub archive's hash is of its files: [archive].
			b.WriteString("[archive]\n")
			for git, archive := range archives {
				delete(want, git)
				want[archive] = fakeSHA256(archive)
				fmt.Fprintf(&b, "%q = %q\n", archive, want[archive])
			}
			if err := os.WriteFile(pins, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			args = append(args, "--pins", pins)
			file, _ := translateTwice(t, args...)
			instantiateYarn(dir)(t, file)
			sources := evalSources(t, file)
			seen := map[string]string{}
			for name, s := range sources {
				key := s.URL
				if s.Rev != "" {
					key = "git " + s.URL + "#" + s.Rev
				}
				if other, dup := seen[key]; dup {
					t.Errorf("sources %q and %q fetch the same %s", name, other, key)
				}
				seen[key] = name
				if w, ok := want[key]; ok && s.Rev == "" && w != "" && w != s.Hash {
					t.Errorf("source %q: hash %q, want %q", name, s.Hash, w)
				}
				if isArchive := slices.Contains(slices.Collect(maps.Values(archives)), s.URL); isArchive != (s.Unpacked == "tar.gz") {
					t.Errorf("source %q: a GitHub archive %v, fetched unpacked as %q", name, isArchive, s.Unpacked)
				}
			}
			for key := range want {
				if _, ok := seen[key]; !ok {
					t.Errorf("lockfile source %s has no fetcher", key)
				}
			}
			if len(sources) != len(want) {
				t.Errorf("%d fetchers for %d distinct lockfile sources", len(sources), len(want))
			}
		})
	}
}

// unpinnedStopAndPass runs lock2nix with args on a lock without pins: it
// must stop, naming each tarball (registry tarballs of a berry lock) and
// each GitHub git source of archives (git key → archive URL) with its
// position in the lock and its package, and pass with --allow-unpinned,
// the output checked with instantiate.
func unpinnedStopAndPass(t *testing.T, args, tarballs []string, archives map[string]string, instantiate func(*testing.T, string)) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "stop.nix")
	if code := run(append(slices.Clone(args), "-o", out), &stdout, &stderr); code != 1 {
		t.Fatalf("without pins: exit %d, want 1\n%s", code, stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("without pins: %s was written", out)
	}
	named := map[string]bool{}
	re := regexp.MustCompile(`(?m)^  \S*` + lockNames + `:[1-9][0-9]*:[1-9][0-9]*: \S+@\S+: (https://\S+)$`)
	for _, m := range re.FindAllStringSubmatch(stderr.String(), -1) {
		named[m[1]] = true
	}
	for _, u := range tarballs {
		if !named[u] {
			t.Errorf("without pins: the stop does not name %s with its position and package", u)
		}
	}
	re = regexp.MustCompile(`(?m)^  \S*` + lockNames + `:[1-9][0-9]*:[1-9][0-9]*: \S+@\S+: (https://github\.com/\S+) \(as (https://codeload\.github\.com/\S+)\)$`)
	for _, m := range re.FindAllStringSubmatch(stderr.String(), -1) {
		named["git "+m[1]] = true
		named[m[2]] = true
	}
	for git, archive := range archives {
		if !named[git] || !named[archive] {
			t.Errorf("without pins: the stop does not name %s (as %s) with its position and package", git, archive)
		}
	}
	if len(archives) > 0 && !regexp.MustCompile(`or pass --allow-unpinned to fetch (it|them) with builtins\.fetchGit at the locked commit`).MatchString(stderr.String()) {
		t.Errorf("without pins: the stop does not say --allow-unpinned fetches GitHub sources with fetchGit:\n%s", stderr.String())
	}
	file := filepath.Join(t.TempDir(), "unpinned.nix")
	translate(t, file, append(slices.Clone(args), "--allow-unpinned")...)
	instantiate(t, file)
	// The GitHub sources are fetched with fetchGit at their commits.
	sources := evalSources(t, file)
	for git := range archives {
		found := false
		for _, s := range sources {
			found = found || "git "+s.URL+"#"+s.Rev == git
		}
		if !found {
			t.Errorf("with --allow-unpinned: no fetchGit source for %s", git)
		}
	}
}

// lockNames matches the lockfiles' names in messages.
const lockNames = `(?:yarn\.lock|package-lock\.json|npm-shrinkwrap\.json)`

// githubArchives maps each git source of want ("git <url>#<commit>") on
// github.com to the URL of GitHub's archive of that commit.
func githubArchives(want map[string]string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`^git (?:ssh://git@|https://)github\.com/([^/]+)/([^/#]+?)(?:\.git)?#([0-9a-f]{40})$`)
	for k := range want {
		if m := re.FindStringSubmatch(k); m != nil {
			out[k] = "https://codeload.github.com/" + m[1] + "/" + m[2] + "/tar.gz/" + m[3]
		}
	}
	return out
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// fakeSHA512 is a made-up sha512 SRI hash, distinct per URL.
func fakeSHA512(u string) string {
	sum := make([]byte, 64)
	for i := range len(u) {
		sum[i%64] ^= u[i]
	}
	return "sha512-" + b64(sum)
}

// fakeSHA256 is a made-up sha256 for u, as a GitHub archive's pin (the
// NAR hash of its files) is one.
func fakeSHA256(u string) string {
	sum := make([]byte, 32)
	for i := range len(u) {
		sum[i%32] ^= u[i]
	}
	return "sha256-" + b64(sum)
}

func b64(b []byte) string {
	const enc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var s strings.Builder
	for i := 0; i < len(b); i += 3 {
		var n uint32
		k := min(3, len(b)-i)
		for j := range 3 {
			n <<= 8
			if j < k {
				n |= uint32(b[i+j])
			}
		}
		for j := range 4 {
			if j <= k {
				s.WriteByte(enc[(n>>(18-6*j))&63])
			} else {
				s.WriteByte('=')
			}
		}
	}
	return s.String()
}

// classicURLs reads a classic lockfile's resolved URLs and their hashes
// (integrity, else the sha1 fragment as "sha1:<hex>"), independently of
// yarnlock; git URLs become "git <url>#<commit>".
func classicURLs(lock string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`(?m)^  resolved "([^"#]+)(?:#([^"]*))?"\n(?:  integrity (\S+)\n)?`)
	for _, m := range re.FindAllStringSubmatch(lock, -1) {
		u, frag, integrity := m[1], m[2], m[3]
		if strings.HasSuffix(u, ".git") || strings.HasPrefix(u, "git") {
			out["git "+strings.TrimPrefix(u, "git+")+"#"+frag] = ""
			continue
		}
		if integrity != "" {
			// Entries for one URL carry the same tarball; the strongest
			// of their hashes pins it.
			out[u] = strongest(integrity + " " + out[u])
		} else if out[u] == "" {
			out[u] = ""
		}
	}
	return out
}

// berryURLs reads a berry lockfile's resolutions: npm: ones become
// registry.npm.test URLs, git ones "git <url>#<commit>".
func berryURLs(lock string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`(?m)^  resolution: "((?:@[^/@"]+/)?[^@"]+)@([a-z+]+):([^"]*)"`)
	for _, m := range re.FindAllStringSubmatch(lock, -1) {
		name, protocol, rest := m[1], m[2], m[3]
		switch protocol {
		case "npm":
			version := rest
			if alias, v, ok := strings.Cut(rest[1:], "@"); ok {
				name, version = rest[:1]+alias, v
			}
			base := name[strings.LastIndex(name, "/")+1:]
			out["https://registry.npm.test/"+name+"/-/"+base+"-"+version+".tgz"] = ""
		case "https", "git", "git+https", "git+ssh":
			u, frag, _ := strings.Cut(protocol+":"+rest, "#")
			out["git "+strings.TrimPrefix(u, "git+")+"#"+strings.TrimPrefix(frag, "commit=")] = ""
		}
	}
	return out
}

// instantiateYarn returns a function that instantiates a yarn data
// file's node_modules derivation with the repository's builders and the
// stand-in, for the project in dir (src: the builders compare its files
// with the data file's hashes); git and unpinned sources are stubbed.
func instantiateYarn(dir string) func(*testing.T, string) {
	return func(t *testing.T, file string) {
		t.Helper()
		src, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		expr := `let
  pkgs = import ` + standin + ` { };
  r = (import ` + repoRoot + ` { inherit pkgs; }).yarn {
    file = ` + file + `;
    fetchGit = a: "/git/${a.rev}";
    fetchurlUnpinned = u: "/unpinned";
    src = ` + strconv.Quote(src) + `;
  };
in [ r.nodeModules r.nodeModulesProd ]`
		cmd := exec.Command("nix-instantiate", "-E", expr)
		cmd.Env = nixEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("nix-instantiate %s: %v\n%s", file, err, out)
		}
	}
}

// TestYarnConditions evaluates what a berry build serves on several
// systems: of esbuild's platform packages, only the one whose conditions
// the system meets (yarn fetches no other).
func TestYarnConditions(t *testing.T) {
	needNix(t)
	file := filepath.Join(t.TempDir(), "pnp.nix")
	translate(t, file, "yarn", "../../testdata/yarn/berry-pnp", "--registry", "https://registry.npm.test/", "--allow-unpinned")
	// src as a string: the builders read its files where they are.
	src, err := filepath.Abs("../../testdata/yarn/berry-pnp")
	if err != nil {
		t.Fatal(err)
	}
	for system, want := range map[string]string{
		"x86_64-linux":   "@esbuild/linux-x64",
		"aarch64-linux":  "@esbuild/linux-arm64",
		"aarch64-darwin": "@esbuild/darwin-arm64",
	} {
		expr := `let
  pkgs = import ` + standin + ` { system = "` + system + `"; };
  r = (import ` + repoRoot + ` { inherit pkgs; }).yarn { file = ` + file + `; src = ` + strconv.Quote(src) + `; fetchurlUnpinned = u: u; };
in r.nodeModules.registryMap`
		cmd := exec.Command("nix-instantiate", "--eval", "--json", "-E", expr)
		cmd.Env = nixEnv()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", system, err, out)
		}
		got := regexp.MustCompile(`@esbuild/[a-z0-9-]+`).FindAllString(string(out), -1)
		got = slices.Compact(got)
		if !slices.Equal(got, []string{want, want}) && !slices.Equal(got, []string{want}) {
			t.Errorf("%s: serves %v, want only %s", system, got, want)
		}
	}
}

// TestYarnLib instantiates a yarn data file and a --standalone file
// through the flake's lib.yarn (and so default.nix's yarn), with the
// stand-in for nixpkgs: nodeModules, nodeModulesProd and buildPackage are
// the same derivations from both, and devShell { writable = true; } asks
// the shared hook for a copy.
func TestYarnLib(t *testing.T) {
	needNix(t)
	dir := t.TempDir()
	lib, _ := filepath.Abs("../../nix/lib.nix")
	src, _ := filepath.Abs("../../testdata/yarn/classic-basic")
	drvs := map[string]string{}
	for _, form := range []string{"data", "standalone"} {
		file := filepath.Join(dir, form+".nix")
		args := []string{"yarn", "../../testdata/yarn/classic-basic", "--registry", "https://registry.npm.test/"}
		if form == "standalone" {
			args = append(args, "--standalone")
		}
		translate(t, file, args...)
		expr := `let
  lib = import ` + lib + ` { lock2nix = _: null; };
  r = lib.yarn { pkgs = import ` + standin + ` { }; file = ` + file + `; src = ` + src + `; installScripts = false; };
  writable = (r.devShell { writable = true; }).shellHook;
in assert builtins.match ".*lock2nix_node_modules copy .*" writable != null;
  [ r.nodeModules r.nodeModulesProd (r.buildPackage { script = "build"; }) ]`
		cmd := exec.Command("nix-instantiate", "-E", expr)
		cmd.Env = nixEnv()
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: nix-instantiate: %v\n%s", form, err, err.(*exec.ExitError).Stderr)
		}
		drvs[form] = string(out)
	}
	if drvs["data"] != drvs["standalone"] {
		t.Errorf("the data file and the --standalone file give other derivations:\n%s\n%s", drvs["data"], drvs["standalone"])
	}
}
