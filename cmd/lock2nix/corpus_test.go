package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// corpusDir holds real-world lockfiles next to the repository; tests that
// read it skip when it is absent.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

func corpus(t *testing.T, kind string) []string {
	t.Helper()
	root := filepath.Join(corpusDir, kind)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Skipf("no corpus at %s (it lives in ../shared beside the repository): %v", root, err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	return dirs
}

func needNix(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
}

// translate runs lock2nix with args and returns what it wrote to out.
func translate(t *testing.T, out string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(append(args, "-o", out), &stdout, &stderr); code != 0 {
		t.Fatalf("lock2nix %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// stubArgs replace the fetchers with functions that return their
// arguments, so evaluation needs no network and shows what would be
// fetched.
const stubArgs = `{
  stdenv = { };
  yarn = { };
  yarn-berry = { };
  nodejs = { };
  opam-installer = { };
  dune_3 = { };
  pkgs = { };
  fetchurl = a: { inherit (a) url hash; };
  fetchGit = a: { inherit (a) url rev; };
  fetchurlUnpinned = url: { inherit url; };
  fetchzip = a: { inherit (a) url hash; unpacked = a.extension; };
  src = "/src";
}`

// repoRoot is the repository, whose default.nix gives lock2nix's builders.
var repoRoot, _ = filepath.Abs(filepath.Join("..", ".."))

// npmCall is the Nix expression that builds a file lock2nix npm wrote with
// the repository's builders, given pkgs (a Nix expression) and more
// arguments (Nix bindings): what lock2nix.lib.npm returns.
func npmCall(pkgs, file, bindings string) string {
	return `((import ` + repoRoot + ` { pkgs = ` + pkgs + `; }).npm { file = ` + file + `; ` + bindings + ` })`
}

// standin is the nixpkgs stand-in the build tests use.
var standin, _ = filepath.Abs(filepath.Join("..", "..", "testdata", "nixpkgs-standin"))

// instantiate evaluates a generated npm file's node_modules derivations
// with the nixpkgs stand-in, so the builders are evaluated for every
// package; nothing is fetched (git and unpinned sources are stubbed).
func instantiate(t *testing.T, file string) {
	t.Helper()
	localPaths := localPathsArg(t, file)
	expr := `let
  pkgs = import ` + standin + ` { };
  r = ` + npmCall("pkgs", file, `
    fetchGit = a: "/git/${a.rev}";
    fetchurlUnpinned = url: "/unpinned";
    src = "/src";
    `+localPaths) + `;
in [ r.nodeModules r.nodeModulesProd ]`
	cmd := exec.Command("nix-instantiate", "-E", expr)
	cmd.Env = nixEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nix-instantiate %s: %v\n%s", file, err, out)
	}
}

// localPathsArg gives the folders beside the project (file:../lib) that a
// generated file links, which the corpus does not hold, as empty folders:
// "localPaths = { … };", or "" when there are none.
func localPathsArg(t *testing.T, file string) string {
	t.Helper()
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	arg := ""
	for _, m := range regexp.MustCompile(`"path": ?"(\.\./[^"]*)"`).FindAllSubmatch(text, -1) {
		arg += fmt.Sprintf("%q = %s; ", m[1], empty)
	}
	if arg == "" {
		return ""
	}
	return "localPaths = { " + arg + "};"
}

// fetched is what a stubbed fetcher returns.
// fetched is a source as the stubs fetch it; Unpacked is fetchzip's
// extension, for a source fetched unpacked (a GitHub archive).
type fetched struct{ URL, Hash, Rev, Unpacked string }

// evalSources evaluates a generated file's data strictly with stubbed
// fetchers and returns its sources.
func evalSources(t *testing.T, file string) map[string]fetched {
	t.Helper()
	args := strings.Replace(stubArgs, "{", "{ "+localPathsArg(t, file), 1)
	// A data file goes through the builders of its format; a file
	// written with --standalone is a function.
	expr := `let
  f = import ` + file + `;
  stubPkgs.callPackage = fn: fn;
  r = if builtins.isFunction f then f ` + args + ` else (import ` + repoRoot + ` { pkgs = stubPkgs; }).${f.format} ({ file = f; } // ` + args + `);
in { inherit (r) sources packages; root = r.root or null; }`
	cmd := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nix-instantiate --eval %s: %v\n%s", file, err, stderr.String())
	}
	var got struct{ Sources map[string]fetched }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	return got.Sources
}

// translateTwice runs lock2nix with args twice, checks that both runs
// wrote the same bytes and that Nix parses them, and returns the file and
// its text.
func translateTwice(t *testing.T, args ...string) (string, []byte) {
	t.Helper()
	tmp := t.TempDir()
	first := translate(t, filepath.Join(tmp, "a.nix"), args...)
	second := translate(t, filepath.Join(tmp, "b.nix"), args...)
	if !bytes.Equal(first, second) {
		t.Fatal("two runs gave different output")
	}
	file := filepath.Join(tmp, "a.nix")
	parseNix(t, file)
	return file, first
}

func parseNix(t *testing.T, file string) {
	t.Helper()
	if out, err := exec.Command("nix-instantiate", "--parse", file).CombinedOutput(); err != nil {
		t.Fatalf("nix-instantiate --parse %s: %v\n%s", file, err, out)
	}
}

// lockSource is what a lockfile says one entry is fetched from, read here
// with encoding/json, independently of npmlock.
type lockSource struct {
	url, hash, rev string
}

// lockSources lists the fetchable sources a lockfile names, by URL, with
// the strongest integrity each carries.
func lockSources(t *testing.T, data []byte) map[string]lockSource {
	t.Helper()
	var lock struct {
		LockfileVersion int                        `json:"lockfileVersion"`
		Packages        map[string]json.RawMessage `json:"packages"`
		Dependencies    map[string]json.RawMessage `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Version      string                     `json:"version"`
		Resolved     any                        `json:"resolved"`
		Integrity    string                     `json:"integrity"`
		InBundle     bool                       `json:"inBundle"`
		Bundled      bool                       `json:"bundled"`
		Link         bool                       `json:"link"`
		Dependencies map[string]json.RawMessage `json:"dependencies"`
	}
	out := map[string]lockSource{}
	add := func(e entry) {
		resolved, _ := e.Resolved.(string)
		if e.InBundle || e.Bundled || e.Link {
			return
		}
		if resolved == "" && (strings.HasPrefix(e.Version, "git") || strings.HasPrefix(e.Version, "github:")) {
			resolved = e.Version
		}
		switch {
		case strings.HasPrefix(resolved, "http://") || strings.HasPrefix(resolved, "https://"):
			// Entries for one URL may carry different hash sets; the
			// strongest of them all pins the fetch.
			out[resolved] = lockSource{url: resolved, hash: strongest(e.Integrity + " " + out[resolved].hash)}
		case strings.HasPrefix(resolved, "git") || strings.HasPrefix(resolved, "github:"):
			_, rev, _ := strings.Cut(resolved, "#")
			out[resolved] = lockSource{rev: rev}
		}
	}
	if lock.LockfileVersion >= 2 {
		for _, raw := range lock.Packages {
			var e entry
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatal(err)
			}
			add(e)
		}
		return out
	}
	var walk func(map[string]json.RawMessage)
	walk = func(deps map[string]json.RawMessage) {
		for _, raw := range deps {
			var e entry
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatal(err)
			}
			add(e)
			walk(e.Dependencies)
		}
	}
	walk(lock.Dependencies)
	return out
}

// npmGitHubArchives maps each git source of a package-lock.json's sources
// (lockSources) on github.com, as lock2nix names it ("git
// https://github.com/OWNER/REPO.git#COMMIT"), to the URL of GitHub's
// archive of that commit.
func npmGitHubArchives(want map[string]lockSource) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`^(?:git\+ssh://git@|git\+https://|git://)github\.com/([^/]+)/([^/#]+)#([0-9a-f]{40})$`)
	short := regexp.MustCompile(`^github:([^/]+)/([^/#]+)#([0-9a-f]{40})$`)
	for k := range want {
		m := re.FindStringSubmatch(k)
		if m == nil {
			if m = short.FindStringSubmatch(k); m != nil {
				m[2] += ".git"
			}
		}
		if m != nil {
			out["git https://github.com/"+m[1]+"/"+m[2]+"#"+m[3]] = "https://codeload.github.com/" + m[1] + "/" + strings.TrimSuffix(m[2], ".git") + "/tar.gz/" + m[3]
		}
	}
	return out
}

// archivesPinned translates with args and a pins file that gives each
// GitHub archive (archives: git key → archive URL) a made-up hash of its
// files ([archive]): each is then fetched unpacked (fetchzip, extension
// tar.gz) with that hash, and none as a git commit.
func archivesPinned(t *testing.T, args []string, archives map[string]string) {
	t.Helper()
	pins := filepath.Join(t.TempDir(), "pins.toml")
	var b strings.Builder
	b.WriteString("[archive]\n")
	for _, archive := range archives {
		fmt.Fprintf(&b, "%q = %q\n", archive, fakeSHA256(archive))
	}
	if err := os.WriteFile(pins, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	file, text := translateTwice(t, append(slices.Clone(args), "--allow-unpinned", "--pins", pins)...)
	if !bytes.Contains(text, []byte("\n  schema = 2;\n")) {
		t.Errorf("with the archives pinned: not schema 2")
	}
	instantiate(t, file)
	fetches := map[string]fetched{}
	for _, s := range evalSources(t, file) {
		if s.Rev != "" {
			if _, ok := archives["git "+s.URL+"#"+s.Rev]; ok {
				t.Errorf("with the archives pinned: git %s#%s is fetched with git", s.URL, s.Rev)
			}
			continue
		}
		fetches[s.URL] = s
	}
	for git, archive := range archives {
		if f, ok := fetches[archive]; !ok || f.Hash != fakeSHA256(archive) || f.Unpacked != "tar.gz" {
			t.Errorf("with the archives pinned: %s is not fetched unpacked from %s with the pin's hash: %+v", git, archive, f)
		}
	}
}

// strongest picks the strongest of space-separated SRI hashes.
func strongest(integrity string) string {
	rank := map[string]int{"sha1": 1, "sha256": 2, "sha384": 3, "sha512": 4}
	best, bestRank := "", 0
	for _, f := range strings.Fields(integrity) {
		algo, _, _ := strings.Cut(f, "-")
		if rank[algo] > bestRank {
			best, bestRank = f, rank[algo]
		}
	}
	return best
}

// TestCorpusNpm translates every real-world lockfile in the corpus and
// checks the result with real Nix. The GitHub git dependencies
// (overleaf's, insomnia's, socket.io's, nightscout's) are fetched as
// GitHub's archive of their commit, whose hash only the pins file gives:
// without it each lock stops, naming them, and passes with
// --allow-unpinned (fetchGit at the commit, as before archives, stubbed
// here); with a pins file that gives each archive a made-up hash, each
// is fetched as its archive.
func TestCorpusNpm(t *testing.T) {
	dirs := corpus(t, "npm")
	needNix(t)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			lockData, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
			if err != nil {
				t.Fatal(err)
			}
			want := lockSources(t, lockData)
			// The corpus holds single projects cut out of their
			// repositories: the repository is the corpus folder. Real
			// lockfiles are often behind their package.json.
			args := []string{"npm", dir, "--registry", "https://registry.npm.test/", "--allow-out-of-sync", "--root", filepath.Dir(dir)}
			archives := npmGitHubArchives(want)
			if len(archives) > 0 {
				unpinnedStopAndPass(t, args, nil, archives, instantiate)
				archivesPinned(t, args, archives)
			}
			file, _ := translateTwice(t, append(slices.Clone(args), "--allow-unpinned")...)
			instantiate(t, file)
			sources := evalSources(t, file)
			// One fetcher per distinct source, each with the lockfile's hash.
			seen := map[string]string{}
			for name, s := range sources {
				key := s.URL + "#" + s.Rev
				if other, dup := seen[key]; dup {
					t.Errorf("sources %q and %q fetch the same %s", name, other, key)
				}
				seen[key] = name
				if s.Rev != "" {
					continue
				}
				if w, ok := want[s.URL]; ok && w.hash != s.Hash {
					t.Errorf("source %q: hash %q, lockfile says %q", name, s.Hash, w.hash)
				}
			}
			for key, w := range want {
				if w.rev != "" {
					found := false
					for _, s := range sources {
						found = found || s.Rev == w.rev
					}
					if !found {
						t.Errorf("git source %s has no fetcher", key)
					}
					continue
				}
				if _, ok := seen[w.url+"#"]; !ok {
					t.Errorf("lockfile source %s has no fetcher", w.url)
				}
			}
			if len(sources) < len(want) {
				t.Errorf("%d fetchers for %d distinct lockfile sources", len(sources), len(want))
			}
		})
	}
}

// npmCIRefuses names the corpus projects whose lockfile npm ci refuses
// (npm 11.19, "npm ci --dry-run", measured 2026-12-05): decap-cms and
// bruno ("Invalid"/"Missing": their packages need versions the lockfile
// does not hold), uptime-kuma (ERESOLVE on a peer the lockfile lacks),
// tailwindcss (optional dependencies of a workspace the lockfile lacks).
var npmCIRefuses = map[string]bool{
	"decaporg__decap-cms":               true,
	"louislam__uptime-kuma":             true,
	"tailwindlabs__tailwindcss.2024-03": true,
	"usebruno__bruno":                   true,
}

// TestCorpusNpmVerdicts checks that lock2nix accepts each real lockfile
// that npm ci accepts and refuses each that it refuses, without
// --allow-out-of-sync (sources without a hash and local paths are allowed:
// those stops are Nix's own).
func TestCorpusNpmVerdicts(t *testing.T) {
	for _, dir := range corpus(t, "npm") {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run([]string{"npm", dir, "-o", "-", "--registry", "https://registry.npm.test/", "--allow-unpinned", "--root", filepath.Dir(dir)}, &stdout, &stderr)
			switch {
			case npmCIRefuses[name] && code != exitFailure:
				t.Errorf("exit %d; npm ci refuses this lockfile\n%s", code, stderr.String())
			case !npmCIRefuses[name] && code != exitOK:
				t.Errorf("exit %d; npm ci accepts this lockfile\n%s", code, stderr.String())
			}
		})
	}
}
