package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// boundaryTree makes top/repo/.git (the repository), a project at
// top/repo/app, a sibling package top/repo/lib, and top/secret and
// top/secret.tgz outside the repository. It returns top.
func boundaryTree(t *testing.T) string {
	t.Helper()
	top, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"repo/.git/HEAD":        "ref: refs/heads/main\n",
		"repo/lib/package.json": `{"name": "lib", "version": "1.0.0"}`,
		"repo/lib/index.js":     "module.exports = 1;\n",
		"secret/key":            "do not publish\n",
		"secret.tgz":            "not really a tarball\n",
	}
	for name, text := range files {
		p := filepath.Join(top, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(top, "repo/app/dune.lock"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A link inside the project that leads out of the repository.
	if err := os.Symlink("../../secret", filepath.Join(top, "repo/app/vendor")); err != nil {
		t.Fatal(err)
	}
	return top
}

// npmLinkLock is a v3 lockfile whose package "lib" is the folder at rel.
func npmLinkLock(rel string) string {
	return `{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"lib": "file:` + rel + `"}},
    "` + rel + `": {"version": "1.0.0"},
    "node_modules/lib": {"resolved": "` + rel + `", "link": true}
  }
}
`
}

const sha512 = "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA=="

// TestLocalBoundary runs lock2nix on lockfiles that name paths outside the
// repository: each must stop, name the place in the lockfile, and write
// nothing; siblings inside the repository pass.
func TestLocalBoundary(t *testing.T) {
	for _, tc := range []struct {
		name, file, text string
		extra            []string
		want             string // "" for success
	}{
		{"npm sibling inside the repository", "package-lock.json", npmLinkLock("../lib"), nil, ""},
		{"npm link out of the repository", "package-lock.json", npmLinkLock("../../secret"), nil,
			"package-lock.json:8:21: the local path ../../secret leads to TOP/secret, outside TOP/repo"},
		{"npm dot segments that only look inside", "package-lock.json", npmLinkLock("../lib/../../secret"), nil,
			"the local path ../../secret leads to TOP/secret, outside TOP/repo"},
		{"npm link through a symbolic link in the project", "package-lock.json", npmLinkLock("vendor"), nil,
			"package-lock.json:8:15: the local path vendor leads to TOP/secret, outside TOP/repo"},
		{"npm local tarball out of the repository", "package-lock.json", `{
  "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"s": "file:../../secret.tgz"}},
    "node_modules/s": {"version": "1.0.0", "resolved": "file:../../secret.tgz", "integrity": "` + sha512 + `"}
  }
}
`, nil, "package-lock.json:5:56: the local path ../../secret.tgz leads to TOP/secret.tgz, outside TOP/repo"},
		{"npm wider root named", "package-lock.json", npmLinkLock("../../secret"), []string{"--root", "TOP"}, ""},
		{"dune copy out of the repository", "dune.lock/s.pkg", "(version 1)\n(source (copy ../../secret))\n", nil,
			"dune.lock/s.pkg:2:15: the local path ../../secret leads to TOP/secret, outside TOP/repo"},
		{"dune file URL out of the repository", "dune.lock/s.pkg", "(version 1)\n(source (fetch (url file://../../secret.tgz) (checksum md5=d41d8cd98f00b204e9800998ecf8427e)))\n", nil,
			"dune.lock/s.pkg:2:21: the local path ../../secret.tgz leads to TOP/secret.tgz, outside TOP/repo"},
		{"dune copy through a symbolic link", "dune.lock/s.pkg", "(version 1)\n(source (copy vendor))\n", nil,
			"the local path vendor leads to TOP/secret, outside TOP/repo"},
		{"dune absolute file URL from another machine", "dune.lock/s.pkg", "(version 1)\n(source (fetch (url file:///Users/me/src/s)))\n", nil,
			"dune.lock/s.pkg:2:21: local source /Users/me/src/s is outside the project"},
		{"dune .files folder that is a link out of the repository", "dune.lock/s.pkg", "(version 1)\n", []string{"LINK dune.lock/s.files ../../../secret"},
			"dune.lock/s.files: the local path dune.lock/s.files leads to TOP/secret, outside TOP/repo"},
		{"dune copy inside the repository", "dune.lock/s.pkg", "(version 1)\n(source (copy ../lib))\n", nil, ""},
		{"dune git+file repository through a symbolic link", "dune.lock/s.pkg", "(version 1)\n(source (fetch (url git+file://TOP/repo/app/vendor#0123456789abcdef0123456789abcdef01234567)))\n", nil,
			"dune.lock/s.pkg:2:21: the local path vendor leads to TOP/secret, outside TOP/repo"},
		{"dune git+file repository behind percent-encoded dot segments", "dune.lock/s.pkg", "(version 1)\n(source (fetch (url git+file://TOP/repo/app/%2e%2e/%2e%2e/secret#0123456789abcdef0123456789abcdef01234567)))\n", nil,
			"dune.lock/s.pkg:2:21: local source TOP/repo/app/../../secret is outside the project"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := boundaryTree(t)
			app := filepath.Join(top, "repo/app")
			if err := os.WriteFile(filepath.Join(app, tc.file), []byte(strings.ReplaceAll(tc.text, "TOP", top)), 0o644); err != nil {
				t.Fatal(err)
			}
			command := "npm"
			if strings.HasPrefix(tc.file, "dune.lock/") {
				command = "dune"
				if err := os.WriteFile(filepath.Join(app, "dune.lock/lock.dune"), []byte("(lang package 0.1)\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(app, "out.nix")
			args := []string{command, app, "-o", out, "--allow-unpinned"}
			for _, a := range tc.extra {
				if link, ok := strings.CutPrefix(a, "LINK "); ok {
					name, target, _ := strings.Cut(link, " ")
					if err := os.Symlink(target, filepath.Join(app, name)); err != nil {
						t.Fatal(err)
					}
					continue
				}
				args = append(args, strings.ReplaceAll(a, "TOP", top))
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			_, statErr := os.Stat(out)
			if tc.want == "" {
				if code != 0 || statErr != nil {
					t.Fatalf("exit %d, output %v:\n%s", code, statErr, stderr.String())
				}
				return
			}
			want := strings.ReplaceAll(tc.want, "TOP", top)
			if code != exitFailure || !strings.Contains(stderr.String(), want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, stderr.String(), want)
			}
			if statErr == nil {
				t.Errorf("%s was written", out)
			}
		})
	}
}

// TestLocalBoundaryEval evaluates a generated file with real Nix: a local
// path the file resolves outside the root stops evaluation before Nix
// copies anything (read-only mode would fail on a copy), whether the
// path was tampered with in the file or the user narrowed localRoot.
func TestLocalBoundaryEval(t *testing.T) {
	needNix(t)
	top := boundaryTree(t)
	app := filepath.Join(top, "repo/app")
	if err := os.WriteFile(filepath.Join(app, "package-lock.json"), []byte(npmLinkLock("../lib")), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(app, "package-lock.nix")
	var stderr bytes.Buffer
	if code := run([]string{"npm", app}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(app, "tampered.nix")
	if err := os.WriteFile(tampered, bytes.ReplaceAll(text, []byte(`"path":"../lib"`), []byte(`"path":"../../secret"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	standin, _ := filepath.Abs("../../testdata/nixpkgs-standin")
	eval := func(file, args string) (string, error) {
		if !strings.Contains(args, "src =") {
			args = "src = " + app + "; " + args
		}
		expr := `let pkgs = import ` + standin + ` { }; in toString ` + npmCall("pkgs", file, args) + `.packages."lib@1.0.0".src`
		var errb bytes.Buffer
		mode := "--readonly-mode"
		if strings.Contains(args, "builtins.path") {
			mode = "--read-write-mode" // copies the project, inside the root, to the store
		}
		cmd := exec.Command("nix-instantiate", mode, "--eval", "--strict", "-E", expr)
		cmd.Stderr = &errb
		out, err := cmd.Output()
		if err != nil {
			return errb.String(), err
		}
		return strings.Trim(strings.TrimSpace(string(out)), `"`), nil
	}
	if got, err := eval(file, ""); err != nil || got != filepath.Join(top, "repo/lib") {
		t.Errorf("the sibling: %q, %v; want %s", got, err, filepath.Join(top, "repo/lib"))
	}
	// src that does not reach the sibling (the project alone, as a flake
	// holding only it would give): a message that says what to pass; and
	// localPaths mapping it.
	alone := "src = builtins.path { path = " + app + "; name = \"app\"; };"
	msg, err := eval(file, alone)
	if err == nil || !strings.Contains(msg, `the local package ../lib, beside the project, is not in reach of src`) || !strings.Contains(msg, `localPaths."../lib" = <its folder>;`) {
		t.Errorf("src without the sibling: %v\n%s", err, msg)
	}
	if got, err := eval(file, alone+" localPaths.\"../lib\" = "+filepath.Join(top, "repo/lib")+";"); err != nil || got != filepath.Join(top, "repo/lib") {
		t.Errorf("localPaths: %q, %v", got, err)
	}
	// A folder swapped for a link that leads out after the file was
	// generated: Nix would follow it, so evaluation stops.
	swapped := t.TempDir()
	if err := os.CopyFS(swapped, os.DirFS(filepath.Join(top, "repo"))); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(swapped, "lib")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(top, "secret"), filepath.Join(swapped, "lib")); err != nil {
		t.Fatal(err)
	}
	swappedFile := filepath.Join(swapped, "app", "package-lock.nix")
	if msg, err := eval(swappedFile, "src = "+filepath.Join(swapped, "app")+";"); err == nil || !strings.Contains(msg, "goes through the symbolic link "+filepath.Join(swapped, "lib")) {
		t.Errorf("a folder swapped for a link: %v\n%s", err, msg)
	}
	for _, c := range []struct{ file, args, want string }{
		{tampered, "", "the local path ../../secret leads to " + filepath.Join(top, "secret") + ", outside the root " + filepath.Join(top, "repo")},
		{file, "localRoot = " + app + ";", "the local path ../lib leads to " + filepath.Join(top, "repo/lib") + ", outside the root " + app},
	} {
		msg, err := eval(c.file, c.args)
		if err == nil || !strings.Contains(msg, c.want) {
			t.Errorf("%s %s: %v\n%s\nwant an error saying %q", filepath.Base(c.file), c.args, err, msg, c.want)
		}
		if strings.Contains(msg, "read-only") || strings.Contains(msg, "/nix/store/") {
			t.Errorf("%s %s: Nix tried to copy a path:\n%s", filepath.Base(c.file), c.args, msg)
		}
	}
}

// TestLocalBoundaryEvalStoreSrc: with src a store copy of the project
// alone (builtins.path, a filtered source), the way up to the repository
// that lock2nix recorded (rootUp "../../..") would climb out of the store
// object, to "/": a path that lies inside the repository at generation
// (lexically, not there) must not reach the machine's files through it.
func TestLocalBoundaryEvalStoreSrc(t *testing.T) {
	needNix(t)
	top := boundaryTree(t)
	app := filepath.Join(top, "repo/a/b/app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(top, "secret/package.json"), []byte(`{"name": "lib", "version": "1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// From the store copy, ../../../<top>/secret is top/secret; from the
	// project, it is a folder of the repository that does not exist.
	rel := "../../../" + strings.TrimPrefix(top, "/") + "/secret"
	if err := os.WriteFile(filepath.Join(app, "package-lock.json"), []byte(npmLinkLock(rel)), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"npm", app}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	expr := `let pkgs = import ` + standin + ` { }; in toString ` +
		npmCall("pkgs", filepath.Join(app, "package-lock.nix"), `src = builtins.path { path = `+app+`; name = "app"; };`) + `.packages."secret@1.0.0".src`
	cmd := exec.Command("nix-instantiate", "--read-write-mode", "--eval", "--strict", "-E", expr)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err == nil || !strings.Contains(errb.String(), "the local package "+rel+", beside the project, is not in reach of src (/nix/store/") {
		t.Errorf("evaluated to %s (%v), want the stop:\n%s", out, err, errb.String())
	}
}
