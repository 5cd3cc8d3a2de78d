package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tarball packs dir into dir.tar.gz and returns its path and sha256.
func tarball(t *testing.T, dir string) (string, string) {
	t.Helper()
	out := dir + ".tar.gz"
	cmd := exec.Command("tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-czf", out, "-C", filepath.Dir(dir), filepath.Base(dir))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return out, hex.EncodeToString(sum[:])
}

// TestDuneBuild makes a lock directory of two tiny dune packages, a
// library and a program that uses it, whose sources are tarballs in the
// project, translates it (the data file, and the --standalone file, which
// must give the same derivations), and builds the program from the data
// file and the repository's builders with real Nix, the
// host's OCaml and dune, through the nixpkgs stand-in: the program must
// run and print what the library computes.
func TestDuneBuild(t *testing.T) {
	need(t, "nix-build", "dune", "ocamlc", "opam-installer", "go")
	work := t.TempDir()
	if k := os.Getenv("KEEP"); k != "" {
		work = k
	}
	writeFiles(t, work, map[string]string{
		"liba-1.0.0/dune-project":                   "(lang dune 2.9)\n(package (name liba))\n",
		"liba-1.0.0/src/dune":                       "(library (public_name liba) (name liba))\n",
		"liba-1.0.0/src/liba.ml":                    "let greeting () = \"hello from liba \" ^ string_of_int (6 * 7)\n",
		"appb-2.0.0/dune-project":                   "(lang dune 2.9)\n(package (name appb))\n",
		"appb-2.0.0/bin/dune":                       "(executable (public_name appb) (name main) (libraries liba))\n",
		"appb-2.0.0/bin/main.ml":                    "let () = print_endline (Liba.greeting ())\n",
		"project/dune-project":                      "(lang dune 2.9)\n(name demo)\n(package (name demo))\n",
		"project/src/dune":                          "(executable (public_name demo) (name demo) (libraries liba))\n",
		"project/src/demo.ml":                       "let () = print_endline (\"demo: \" ^ Liba.greeting ())\n",
		"project/dune.lock/lock.dune":               "(lang package 0.1)\n\n(ocaml ocaml-base-compiler)\n",
		"project/dune.lock/ocaml-base-compiler.pkg": "(version 4.13.1)\n",
		"project/dune.lock/ocaml.pkg":               "(version 4.13.1)\n\n(depends ocaml-base-compiler)\n",
	})
	libTar, libSum := tarball(t, filepath.Join(work, "liba-1.0.0"))
	appTar, appSum := tarball(t, filepath.Join(work, "appb-2.0.0"))
	// Local sources are read from the project, by paths relative to it.
	for _, tar := range []string{libTar, appTar} {
		if err := os.MkdirAll(filepath.Join(work, "project", "tarballs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tar, filepath.Join(work, "project", "tarballs", filepath.Base(tar))); err != nil {
			t.Fatal(err)
		}
	}
	writeFiles(t, work, map[string]string{
		"project/dune.lock/liba.pkg": `(version 1.0.0)

(build
 (progn
  (when %{pkg-self:dev} (run dune subst))
  (run dune build -p %{pkg-self:name} -j %{jobs} @install)))

(depends ocaml dune)

(source
 (fetch
  (url file://tarballs/` + filepath.Base(libTar) + `)
  (checksum sha256=` + libSum + `)))
`,
		"project/dune.lock/appb.pkg": `(version 2.0.0)

(build
 (withenv
  ((= APPB_BUILT_BY lock2nix))
  (run dune build -p %{pkg-self:name} -j %{jobs})))

(install
 (progn
  (with-stdout-to note.txt (echo "built by" %{pkg-self:name}))
  (setenv NOTE_DIR %{share}
   (bash "mkdir -p \"$NOTE_DIR\" && cp note.txt \"$NOTE_DIR/\""))
  (with-accepted-exit-codes 1 (run grep -q absent note.txt))))

(depends ocaml dune liba)

(source
 (fetch
  (url file://tarballs/` + filepath.Base(appTar) + `)
  (checksum sha256=` + appSum + `)))
`,
	})
	if os.Getenv("KEEP") != "" {
		t.Log("work", work)
	}
	project := filepath.Join(work, "project")
	out, standalone := generateDune(t, project)
	// The data file is built with the repository's builders; the
	// --standalone file beside it gives the same derivations.
	args := "compiler = pkgs.ocaml; src = " + project + ";"
	sameDerivations(t, "import "+standin+" { }",
		"let l = "+duneCall(out, args)+"; in l.packagesByName // { project = l.project; }",
		"let l = pkgs.callPackage "+standalone+" { "+args+" }; in l.packagesByName // { project = l.project; }")
	res, err := nixBuild(duneCall(out, args) + ".packagesByName.appb")
	if err != nil {
		t.Fatalf("nix-build: %v", err)
	}
	prog := filepath.Join(res, "bin", "appb")
	got, err := exec.Command(prog).Output()
	if err != nil {
		t.Fatalf("%s: %v", prog, err)
	}
	if string(got) != "hello from liba 42\n" {
		t.Errorf("appb printed %q", got)
	}
	// Its install action, made of actions dune's own builder does not
	// run, left its note.
	if note, err := os.ReadFile(filepath.Join(res, "share", "note.txt")); err != nil || string(note) != "built by appb" {
		t.Errorf("share/note.txt: %q, %v", note, err)
	}

	// The project itself, built by dune with the locked packages.
	if res, err = nixBuild(duneCall(out, args) + ".project"); err != nil {
		t.Fatalf("nix-build project: %v", err)
	}
	got, err = exec.Command(filepath.Join(res, "bin", "demo")).Output()
	if err != nil || string(got) != "demo: hello from liba 42\n" {
		t.Errorf("demo printed %q, %v", got, err)
	}
}
