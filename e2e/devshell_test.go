package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// devShellProject generates the workspace test project's Nix file, builds
// its nodeModules and nodeModulesProd with the stand-in, and returns a
// copy of the project (so that the hook writes nowhere in testdata) with
// a function that gives the generated devShell's shellHook.
func devShellProject(t *testing.T) (proj string, hook func(writable bool, tree string) string, full, prod string) {
	t.Helper()
	need(t, "nix-build", "npm", "go", "bash")
	src, _ := filepath.Abs("../testdata/npm/workspace")
	file := generateNpm(t, src)
	call := npmCall(file, "src = "+src+";")
	var err error
	if full, err = nixBuild(call + ".nodeModules"); err != nil {
		t.Fatal(err)
	}
	if prod, err = nixBuild(call + ".nodeModulesProd"); err != nil {
		t.Fatal(err)
	}
	proj = filepath.Join(t.TempDir(), "project")
	if out, err := exec.Command("cp", "-R", src, proj).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	hook = func(writable bool, tree string) string {
		t.Helper()
		expr := fmt.Sprintf("let pkgs = import %s { }; in (%s.devShell { writable = %t; modules = %q; }).shellHook", standin, call, writable, tree)
		out, err := exec.Command("nix-instantiate", "--eval", "--json", "-E", expr).Output()
		if err != nil {
			t.Fatalf("nix-instantiate: %v", err)
		}
		var s string
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	return proj, hook, full, prod
}

// enter runs the hook with bash in dir, as nix develop does, then script;
// it returns the script's output and the hook's messages.
func enter(t *testing.T, dir, hook, script string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc", "-c", hook+"\n"+script)
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash: %v\n%s", err, e.String())
	}
	return o.String(), e.String()
}

// TestDevShell enters the generated devShell's hook in both modes: the
// tree appears at node_modules and at the workspace's node_modules, its
// bins are on PATH, workspace links lead to the project's folders, a
// second entry changes nothing, a new tree replaces the old, and a
// writable copy stays writable.
func TestDevShell(t *testing.T) {
	proj, hook, full, prod := devShellProject(t)
	link := hook(false, full)

	// Read-only: folders of links into the store.
	out, msg := enter(t, proj, link, "semver 1.2.3 && command -v semver && node \"$(command -v demo-a)\" && node -p 'require(\"b\")'")
	// demo-a prints packages/a's value; b adds ms's: both resolve from
	// the project's folders through the workspace links.
	if want := "1.2.3\n" + proj + "/node_modules/.bin/semver\n1.2.3\n1.2.31000\n"; out != want || msg != "" {
		t.Fatalf("first entry: out %q, messages %q", out, msg)
	}
	for _, dest := range []string{"node_modules", "packages/b/node_modules"} {
		assertTree(t, proj, dest, "link "+full+"/"+dest)
	}
	if got, _ := os.Readlink(filepath.Join(proj, "node_modules/semver")); got != full+"/node_modules/semver" {
		t.Errorf("node_modules/semver links to %q", got)
	}
	for dest, want := range map[string]string{"node_modules/b": "packages/b", "node_modules/@demo/a": "packages/a"} {
		if !sameFile(filepath.Join(proj, dest), filepath.Join(proj, want)) {
			t.Errorf("%s does not lead to the project's %s", dest, want)
		}
	}
	if _, err := os.Lstat(filepath.Join(proj, "packages/a/node_modules")); err == nil {
		t.Error("packages/a/node_modules exists, but the tree has none for it")
	}
	before, _ := os.Lstat(filepath.Join(proj, "node_modules"))
	if _, msg := enter(t, proj, link, ""); msg != "" {
		t.Errorf("second entry said %q", msg)
	}
	if after, _ := os.Lstat(filepath.Join(proj, "node_modules")); !os.SameFile(before, after) {
		t.Error("second entry replaced a current node_modules")
	}
	enter(t, proj, hook(false, prod), "")
	assertTree(t, proj, "node_modules", "link "+prod+"/node_modules")

	// Writable: a copy, made once per tree.
	copyHook := hook(true, full)
	_, msg = enter(t, proj, copyHook, "mkdir -p node_modules/semver/.cache && echo x > node_modules/semver/.cache/x && semver 2.0.0")
	if !strings.Contains(msg, "copying") {
		t.Errorf("first writable entry said %q, want a copying message", msg)
	}
	assertTree(t, proj, "node_modules", "copy "+full+"/node_modules")
	if fi, err := os.Lstat(filepath.Join(proj, "node_modules/semver")); err != nil || !fi.IsDir() {
		t.Fatalf("writable node_modules/semver is not a folder: %v", err)
	}
	if _, msg := enter(t, proj, copyHook, "test -f node_modules/semver/.cache/x"); msg != "" {
		t.Errorf("second writable entry said %q", msg)
	}
	t.Logf("entering the shell again adds %v writable, %v read-only", hookTime(t, proj, copyHook), hookTime(t, proj, link))
	if d := hookTime(t, proj, copyHook); d > 100*time.Millisecond {
		t.Errorf("entering the writable shell again adds %v, want < 100ms", d)
	}
	enter(t, proj, hook(true, prod), "test ! -e node_modules/semver/.cache/x && test ! -e node_modules/is-number")
	assertTree(t, proj, "node_modules", "copy "+prod+"/node_modules")
	// Back to read-only: the copy was the hook's own, so it goes.
	enter(t, proj, link, "")
	assertTree(t, proj, "node_modules", "link "+full+"/node_modules")
	assertNoLeftovers(t, proj)
}

// TestDevShellReplacesStoreLink: a node_modules that links into the store
// (another Nix tool's, such as importNpmLock's hook) holds nothing to
// lose, and is replaced.
func TestDevShellReplacesStoreLink(t *testing.T) {
	proj, hook, full, prod := devShellProject(t)
	os.Symlink(prod+"/node_modules", filepath.Join(proj, "node_modules"))
	if _, msg := enter(t, proj, hook(false, full), ""); msg != "" {
		t.Errorf("the hook said %q", msg)
	}
	assertTree(t, proj, "node_modules", "link "+full+"/node_modules")
}

// TestDevShellLeavesOthers: a node_modules that npm made, or a link that
// leads out of the store, is never replaced, in either mode; outside a
// project the hook does nothing.
func TestDevShellLeavesOthers(t *testing.T) {
	proj, hook, full, _ := devShellProject(t)
	npmMade := filepath.Join(proj, "node_modules")
	os.MkdirAll(filepath.Join(npmMade, "left-pad"), 0o755)
	elsewhere := t.TempDir()
	os.Symlink(elsewhere, filepath.Join(proj, "packages/b/node_modules"))
	for _, writable := range []bool{false, true} {
		_, msg := enter(t, proj, hook(writable, full), "")
		if strings.Count(msg, "not made by lock2nix") != 2 {
			t.Errorf("writable=%t: messages %q, want one for each folder", writable, msg)
		}
		if _, err := os.Stat(filepath.Join(npmMade, "left-pad")); err != nil {
			t.Errorf("writable=%t: npm's node_modules was touched: %v", writable, err)
		}
		if got, _ := os.Readlink(filepath.Join(proj, "packages/b/node_modules")); got != elsewhere {
			t.Errorf("writable=%t: the user's link now leads to %q", writable, got)
		}
	}
	os.Remove(filepath.Join(proj, "package.json"))
	os.RemoveAll(npmMade)
	if _, msg := enter(t, proj, hook(false, full), ""); !strings.Contains(msg, "no package.json") {
		t.Errorf("outside a project the hook said %q", msg)
	}
	if _, err := os.Lstat(npmMade); err == nil {
		t.Error("the hook made node_modules outside a project")
	}
}

// TestDevShellConcurrent starts several shells at once, in each mode and
// on a change of tree: every hook must succeed and leave one complete
// node_modules, and nothing of the losers' work behind. (While a changed
// tree is swapped in, node_modules is missing between two renames: a
// shell that started at that instant may miss it, so the bins are tried
// once all are done.)
func TestDevShellConcurrent(t *testing.T) {
	proj, hook, full, prod := devShellProject(t)
	for _, step := range []struct {
		writable bool
		tree     string
	}{{false, full}, {false, prod}, {true, full}, {true, prod}, {false, full}} {
		h := hook(step.writable, step.tree)
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command("bash", "--noprofile", "--norc", "-c", h)
				cmd.Dir = proj
				if out, err := cmd.CombinedOutput(); err != nil {
					errs[i] = fmt.Errorf("%v: %s", err, out)
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("writable=%t: a shell failed: %v", step.writable, err)
			}
		}
		mode := map[bool]string{false: "link ", true: "copy "}[step.writable]
		assertTree(t, proj, "node_modules", mode+step.tree+"/node_modules")
		if out, _ := enter(t, proj, h, "semver 1.0.0"); out != "1.0.0\n" {
			t.Errorf("after the race, semver printed %q", out)
		}
		assertNoLeftovers(t, proj)
	}
}

// hookTime is what running the hook adds to starting bash, when it has
// nothing to do: the least of several runs, less bash's own start.
func hookTime(t *testing.T, dir, hook string) time.Duration {
	t.Helper()
	least := func(script string) time.Duration {
		best := time.Hour
		for range 7 {
			cmd := exec.Command("bash", "--noprofile", "--norc", "-c", script)
			cmd.Dir = dir
			start := time.Now()
			if err := cmd.Run(); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	return max(0, least(hook)-least(":"))
}

// assertTree fails unless dest is a folder the hook made with want, its
// mode and tree, in .lock2nix-tree.
func assertTree(t *testing.T, proj, dest, want string) {
	t.Helper()
	if fi, err := os.Lstat(filepath.Join(proj, dest)); err != nil || !fi.IsDir() {
		t.Errorf("%s is not a folder: %v", dest, err)
		return
	}
	if got, _ := os.ReadFile(filepath.Join(proj, dest, ".lock2nix-tree")); string(got) != want+"\n" {
		t.Errorf("%s/.lock2nix-tree = %q, want %q", dest, got, want)
	}
}

func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// assertNoLeftovers fails when a new or old copy or link is left beside a
// node_modules.
func assertNoLeftovers(t *testing.T, proj string) {
	t.Helper()
	for _, dir := range []string{proj, filepath.Join(proj, "packages/a"), filepath.Join(proj, "packages/b")} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".lock2nix-") {
				t.Errorf("left behind: %s", filepath.Join(dir, e.Name()))
			}
		}
	}
}
