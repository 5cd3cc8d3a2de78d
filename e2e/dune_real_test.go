package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The real locks and their sources, shared with the other projects of
// the machine: tests that read them skip when they are absent.
const (
	sharedCorpus  = "../../shared/corpus/dune"
	sharedSources = "../../shared/dune-sources"
)

// needShared skips the test when the shared sources are absent.
func needShared(t *testing.T) {
	t.Helper()
	for _, p := range []string{sharedCorpus, filepath.Join(sharedSources, "SOURCES.tsv")} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("the shared real locks and sources are absent (%s): %v", p, err)
		}
	}
}

// copyDir copies the folder from into to.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if msg, err := exec.Command("cp", "-R", from+"/.", to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, msg)
	}
}

// addSources puts into the Nix store, where the generated file's
// fetchers look for them, the shared copies of the sources it names: a
// fetchurl does not download what the store already holds at its path,
// which depends on the file's name (the URL's last part), hash type and
// content. It returns the URLs it could not provide.
func addSources(t *testing.T, generated string) []string {
	t.Helper()
	files := map[string]string{} // URL → shared file
	tsv, err := os.Open(filepath.Join(sharedSources, "SOURCES.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer tsv.Close()
	sc := bufio.NewScanner(tsv)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) >= 2 {
			files[f[1]] = filepath.Join(sharedSources, f[0])
		}
	}
	nix, err := os.ReadFile(generated)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var missing []string
	for _, m := range regexp.MustCompile(`url = "([^"]+)";\s*hash = "(\w+)-`).FindAllStringSubmatch(string(nix), -1) {
		url, algo := m[1], m[2]
		file, ok := files[url]
		if !ok {
			missing = append(missing, url)
			continue
		}
		named := filepath.Join(dir, algo, filepath.Base(url))
		os.MkdirAll(filepath.Dir(named), 0o755)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(named, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if msg, err := exec.Command("nix-store", "--add-fixed", algo, named).CombinedOutput(); err != nil {
			t.Fatalf("nix-store --add-fixed %s %s: %v\n%s", algo, named, err, msg)
		}
	}
	return missing
}

// standinWithDune is the stand-in's import with a current dune_3, built
// from dune's shared source archive (added to the store first).
func standinWithDune(t *testing.T) string {
	t.Helper()
	src := filepath.Join(sharedSources, "tools", "dune-3.20.2.tar.gz")
	out, err := exec.Command("nix-store", "--add-fixed", "sha256", src).Output()
	if err != nil {
		t.Fatalf("nix-store --add-fixed %s: %v", src, err)
	}
	return "import " + standin + " { duneSrc = " + strings.TrimSpace(string(out)) + "; }"
}

// nixBuildAll builds the derivations of an attribute set expr, with pkgs
// the given stand-in, and returns their outputs by name.
func nixBuildAll(t *testing.T, pkgs, expr string) map[string]string {
	t.Helper()
	// Two builds at once: dune's bootstrap overlaps the compiler's.
	cmd := exec.Command("nix-build", "--no-out-link", "--max-jobs", "2", "-E", "let pkgs = "+pkgs+"; in "+expr)
	cmd.Env = append(os.Environ(), "NIX_CONFIG=sandbox = false\nsubstituters =")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("nix-build: %v\n%s", err, tail(stderr.String(), 60))
	}
	names, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", "builtins.attrNames (let pkgs = "+pkgs+"; in "+expr+")").Output()
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, n := range strings.Split(strings.Trim(strings.TrimSpace(string(names)), "[]"), ",") {
		list = append(list, strings.Trim(n, `"`))
	}
	sort.Strings(list)
	paths := strings.Fields(string(stdout))
	if len(paths) != len(list) {
		t.Fatalf("nix-build gave %d paths for %d attributes: %v %v", len(paths), len(list), paths, list)
	}
	out := map[string]string{}
	for i, n := range list {
		out[n] = paths[i]
	}
	return out
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// run runs a program and returns its standard output, failing the test
// on an error.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// generateDune translates the project in dir into a data file and, with
// --standalone, a self-contained file, and returns both.
func generateDune(t *testing.T, dir string) (data, standalone string) {
	t.Helper()
	tmp := t.TempDir()
	data, standalone = filepath.Join(tmp, "dune-lock.nix"), filepath.Join(tmp, "standalone.nix")
	for _, args := range [][]string{{"-o", data}, {"--standalone", "-o", standalone}} {
		if msg, err := exec.Command("go", append([]string{"run", "../cmd/lock2nix", "dune", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("lock2nix dune %s: %v\n%s", strings.Join(args, " "), err, msg)
		}
	}
	return data, standalone
}

// duneCall is the Nix expression that builds a file lock2nix dune wrote
// (a data file, or one written with --standalone) with the repository's
// builders and more arguments (Nix bindings): what lock2nix.lib.dune
// returns. pkgs must be in scope.
func duneCall(file, bindings string) string {
	return "((import " + repo + " { inherit pkgs; }).dune { file = " + file + "; " + bindings + " })"
}

// sameDerivations checks that two expressions of attribute sets of
// derivations (the data file's, the --standalone file's) give the same
// derivation for each name, with pkgs the given stand-in.
func sameDerivations(t *testing.T, pkgs, data, standalone string) {
	t.Helper()
	drvs := func(expr string) map[string]string {
		out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", "let pkgs = "+pkgs+"; in builtins.mapAttrs (n: d: d.drvPath) ("+expr+")").Output()
		if err != nil {
			t.Fatalf("nix-instantiate: %v\n%s", err, err.(*exec.ExitError).Stderr)
		}
		var m map[string]string
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := drvs(data), drvs(standalone)
	if len(a) == 0 {
		t.Fatal("no derivations")
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("derivations of the data file (-) and the --standalone file (+):\n%s", diff)
	}
}

// gridbugs is the real lock that builds OCaml 5.2.0 from source.
const gridbugs = "gridbugs__dune-checked-in-lockdir-experiment"

// TestDuneRealCompiler builds a real lock exactly as locked
// (gridbugs/dune-checked-in-lockdir-experiment: no compiler argument, no
// overrides): OCaml 5.2.0 from its source, ocaml-config (opam's
// substitute of gen_ocaml_config.ml.in), ocaml (which writes
// ocaml.config). The compiler then compiles and runs a native and a
// bytecode program, and the project, with a small program added to it,
// builds with the stand-in's current dune against the locked compiler.
// The compiler takes about ten minutes to build on two cores the first
// time.
func TestDuneRealCompiler(t *testing.T) {
	need(t, "nix-build", "nix-store", "go", "ocaml")
	needShared(t)
	project := nixReadableTempDir(t)
	copyDir(t, filepath.Join(sharedCorpus, gridbugs), project)
	writeFiles(t, project, map[string]string{
		"bin/dune":     "(executable (name hello) (public_name hello) (package foo))\n",
		"bin/hello.ml": "let () = print_endline (\"hello from \" ^ Sys.ocaml_version)\n",
	})
	gen, standalone := generateDune(t, project)
	if missing := addSources(t, gen); len(missing) > 0 {
		t.Fatalf("no shared copy of %v", missing)
	}
	pkgs := standinWithDune(t)
	attrs := func(l string) string {
		return "let l = " + l + "; in { inherit (l.packagesByName) ocaml ocaml-base-compiler ocaml-config; inherit (l) project; }"
	}
	// The data file is built with the repository's builders; the
	// --standalone file beside it gives the same derivations.
	sameDerivations(t, pkgs, attrs(duneCall(gen, "src = "+project+";")), attrs("pkgs.callPackage "+standalone+" { src = "+project+"; }"))
	built := nixBuildAll(t, pkgs, attrs(duneCall(gen, "src = "+project+";")))

	compiler := built["ocaml-base-compiler"]
	if got := run(t, "", nil, filepath.Join(compiler, "bin", "ocamlc"), "-version"); got != "5.2.0\n" {
		t.Errorf("ocamlc -version: %q", got)
	}
	// ocaml-config's substitute left no opam text, and ocaml's build ran
	// it with the locked compiler.
	gen2, err := os.ReadFile(filepath.Join(built["ocaml-config"], "share", "ocaml-config", "gen_ocaml_config.ml"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(gen2, []byte("%{")) || !bytes.Contains(gen2, []byte(`compiler: \"5.2.0\"`)) {
		t.Errorf("gen_ocaml_config.ml:\n%s", gen2)
	}
	config, err := os.ReadFile(filepath.Join(built["ocaml"], "nix-support", "ocaml.config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"native: true", "preinstalled: false", `compiler: "5.2.0"`} {
		if !bytes.Contains(config, []byte(want)) {
			t.Errorf("ocaml.config lacks %q:\n%s", want, config)
		}
	}

	work := t.TempDir()
	writeFiles(t, work, map[string]string{"v.ml": "let () = print_endline Sys.ocaml_version\n"})
	bin := filepath.Join(compiler, "bin")
	run(t, work, nil, filepath.Join(bin, "ocamlopt"), "v.ml", "-o", "v.native")
	run(t, work, nil, filepath.Join(bin, "ocamlc"), "v.ml", "-o", "v.byte")
	if got := run(t, work, nil, filepath.Join(work, "v.native")); got != "5.2.0\n" {
		t.Errorf("the native program printed %q", got)
	}
	if got := run(t, work, []string{"PATH=" + bin + ":" + os.Getenv("PATH")}, filepath.Join(work, "v.byte")); got != "5.2.0\n" {
		t.Errorf("the bytecode program printed %q", got)
	}
	if got := run(t, "", nil, filepath.Join(built["project"], "bin", "hello")); got != "hello from 5.2.0\n" {
		t.Errorf("the project's program printed %q", got)
	}
}

// languageGarden is a real lock most of whose sources are shared.
const languageGarden = "brendanzab__language-garden.2025-07"

// TestDuneRealPackages builds the packages of a real lock
// (brendanzab/language-garden) whose sources and dependencies are all in
// the shared copies: ocamlfind, ocamlbuild, cppo, qcheck-core, re,
// sexplib0, gen, camlp-streams, ppx_derivers, ocaml-compiler-libs, seq.
// The lock's compiler, OCaml 5.3.0, cannot be had here (its release
// tarball is not among the shared sources, and there is no network), so
// they are built on the OCaml 5.2.0 that TestDuneRealCompiler's lock
// builds from source, given as the compiler argument. Their libraries
// then load with the ocamlfind built from the lock, in a compiled program
// and in the toplevel through topfind, which ocamlfind installed into its
// own output, not the compiler's.
func TestDuneRealPackages(t *testing.T) {
	need(t, "nix-build", "nix-store", "go", "ocaml")
	needShared(t)
	grid := nixReadableTempDir(t)
	copyDir(t, filepath.Join(sharedCorpus, gridbugs), grid)
	gridNix, gridStandalone := generateDune(t, grid)
	addSources(t, gridNix)
	garden := nixReadableTempDir(t)
	copyDir(t, filepath.Join(sharedCorpus, languageGarden), garden)
	gardenNix, gardenStandalone := generateDune(t, garden)
	addSources(t, gardenNix)

	names := []string{"ocamlfind", "ocamlbuild", "cppo", "qcheck-core", "re", "sexplib0", "gen", "camlp-streams", "ppx_derivers", "ocaml-compiler-libs", "seq", "ocaml"}
	attrs := func(call func(file, bindings string) string, gridFile, gardenFile string) string {
		compiler := call(gridFile, "src = "+grid+";") + ".packagesByName.ocaml-base-compiler"
		return "let l = " + call(gardenFile, "src = "+garden+"; compiler = "+compiler+";") + "; in { inherit (l.packagesByName) " + strings.Join(names, " ") + "; compiler = " + compiler + "; }"
	}
	callPackage := func(file, bindings string) string { return "(pkgs.callPackage " + file + " { " + bindings + " })" }
	pkgs := standinWithDune(t)
	// The data files are built with the repository's builders; the
	// --standalone files beside them give the same derivations.
	sameDerivations(t, pkgs, attrs(duneCall, gridNix, gardenNix), attrs(callPackage, gridStandalone, gardenStandalone))
	built := nixBuildAll(t, pkgs, attrs(duneCall, gridNix, gardenNix))

	// The compiler's library folder holds no topfind: ocamlfind's went
	// into its own output.
	where := strings.TrimSpace(run(t, "", nil, filepath.Join(built["compiler"], "bin", "ocamlc"), "-where"))
	if _, err := os.Stat(filepath.Join(where, "topfind")); err == nil {
		t.Errorf("topfind is in the compiler's folder %s", where)
	}
	if _, err := os.Stat(filepath.Join(built["ocamlfind"], "lib", "toplevel", "topfind")); err != nil {
		t.Errorf("ocamlfind installed no topfind of its own: %v", err)
	}
	var ocamlpath, toplevel []string
	for _, n := range names {
		ocamlpath = append(ocamlpath, filepath.Join(built[n], "lib"))
		toplevel = append(toplevel, filepath.Join(built[n], "lib", "toplevel"))
	}
	env := []string{
		"PATH=" + filepath.Join(built["compiler"], "bin") + ":" + filepath.Join(built["ocamlfind"], "bin") + ":" + filepath.Join(built["cppo"], "bin") + ":" + os.Getenv("PATH"),
		"OCAMLPATH=" + strings.Join(ocamlpath, ":"),
		"OCAMLTOP_INCLUDE_PATH=" + strings.Join(toplevel, ":"),
		"OCAMLFIND_CONF=" + filepath.Join(built["ocamlfind"], "lib", "findlib.conf"),
	}
	libs := "re,sexplib0,gen,qcheck-core,camlp-streams,ppx_derivers,ocaml-compiler-libs.common,ocamlbuild,seq"
	ocamlfind := filepath.Join(built["ocamlfind"], "bin", "ocamlfind")
	list := run(t, "", env, ocamlfind, "list")
	for _, lib := range strings.Split(libs, ",") {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(lib) + ` `).MatchString(list) {
			t.Errorf("ocamlfind list lacks %s:\n%s", lib, list)
		}
	}
	work := t.TempDir()
	writeFiles(t, work, map[string]string{
		"main.ml": `let () =
  let re = Re.compile (Re.Posix.re "a+b") in
  print_endline (string_of_bool (Re.execp re "xaab"));
  print_endline (Sexplib0.Sexp.to_string (Sexplib0.Sexp.List [ Sexplib0.Sexp.Atom "ok" ]));
  print_endline (string_of_int (Gen.length (Gen.of_list [ 1; 2; 3 ])));
  print_endline (string_of_bool (QCheck.Test.check_exn (QCheck.Test.make QCheck.int (fun x -> x = x)); true))
`,
		"cppo.ml": "#define X 42\nlet () = print_int X\n",
	})
	run(t, work, env, ocamlfind, "ocamlopt", "-package", "re,sexplib0,gen,qcheck-core", "-linkpkg", "main.ml", "-o", "main")
	if got := run(t, work, nil, filepath.Join(work, "main")); got != "true\n(ok)\n3\ntrue\n" {
		t.Errorf("the program printed %q", got)
	}
	if got := run(t, work, env, filepath.Join(built["cppo"], "bin", "cppo"), "cppo.ml"); !regexp.MustCompile(`print_int\s+(# \d+ "cppo.ml"\s+)?42`).MatchString(got) {
		t.Errorf("cppo printed %q", got)
	}
	top := exec.Command(filepath.Join(built["compiler"], "bin", "ocaml"), "-noprompt", "-stdin")
	// topfind finds findlib's folder from OCAML_TOPLEVEL_PATH, which an
	// opam switch (and dune, for the compiler's users) points at the
	// toplevel folder ocamlfind installed topfind into.
	top.Env = append(os.Environ(), append(env, "OCAML_TOPLEVEL_PATH="+filepath.Join(built["ocamlfind"], "lib", "toplevel"))...)
	top.Stdin = strings.NewReader("#use \"topfind\";;\n#require \"re\";;\nprint_endline (\"re through topfind: \" ^ string_of_bool (Re.execp (Re.compile (Re.str \"x\")) \"axb\"));;\n")
	out, err := top.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "re through topfind: true") {
		t.Errorf("the toplevel with topfind: %v\n%s", err, out)
	}
}
