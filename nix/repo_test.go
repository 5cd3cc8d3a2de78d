package nix_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

// repoFixture writes testdata/repo.txtar (web, tools: an npm workspace,
// ocaml: a dune project, and lockfiles that belong to none) into a folder
// Nix's build users may read, with config as its lock2nix.toml when given,
// builds lock2nix, runs lock2nix generate there, and returns the repository
// and the binary.
func repoFixture(t *testing.T, config ...string) (repo, bin string) {
	t.Helper()
	work := t.TempDir()
	for d := work; d != filepath.Dir(d) && strings.HasPrefix(d, os.TempDir()+"/"); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	repo = filepath.Join(work, "repo")
	a, err := txtar.ParseFile("../testdata/repo.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range a.Files {
		name := filepath.Join(repo, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(config) > 0 {
		if err := os.WriteFile(filepath.Join(repo, "lock2nix.toml"), []byte(config[0]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin = filepath.Join(work, "lock2nix")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/lock2nix").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	gen := exec.Command(bin, "generate", "-q")
	gen.Dir = repo
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("lock2nix generate: %v\n%s", err, out)
	}
	return repo, bin
}

// repoExpr is lib.repo on the repository, with the stand-in as pkgs and the
// binary as lock2nix's package.
func repoExpr(repo, bin string) string {
	standin, _ := filepath.Abs("../testdata/nixpkgs-standin")
	lib, _ := filepath.Abs("lib.nix")
	return `let
  pkgs = import ` + standin + ` { };
  bin = derivation {
    name = "lock2nix";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "/bin/mkdir -p $out/bin && /bin/cp ${` + bin + `} $out/bin/lock2nix" ];
  };
  lib = import ` + lib + ` { lock2nix = _: bin; };
  repo = lib.repo { inherit pkgs; src = ` + repo + `; };
in`
}

var nixEnv = append(os.Environ(), "NIX_CONFIG=sandbox = false\nsubstituters =")

func nixEval(t *testing.T, expr string, v any) {
	t.Helper()
	cmd := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
	cmd.Env = nixEnv
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("nix-instantiate: %v\n%s", err, msg)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatal(err)
	}
}

// nixBuild builds the derivation expr names and returns its output path,
// or Nix's messages as the error.
func nixBuild(expr string) (string, error) {
	cmd := exec.Command("nix-build", "--no-out-link", "-E", expr)
	cmd.Env = nixEnv
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", &buildError{err, string(out)}
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1], nil
}

type buildError struct {
	err error
	log string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.log }

// TestRepo evaluates lib.repo with real Nix on a repository that lock2nix
// generate wrote: every project's packages, a dev shell each, the checks
// (the generated files are current; each project builds), and the app that
// regenerates them; then builds the check, which passes, and again after a
// lockfile changes, when it fails naming that project alone, until the app
// regenerates the file.
func TestRepo(t *testing.T) {
	needNix(t)
	if testing.Short() {
		t.Skip("builds with Nix")
	}
	repo, bin := repoFixture(t)
	expr := repoExpr(repo, bin) + ` {
  packages = builtins.mapAttrs (_: d: d.name) repo.packages;
  devShells = builtins.mapAttrs (_: d: d.shellHook) repo.devShells;
  checks = builtins.mapAttrs (_: d: d.name) repo.checks;
  app = repo.apps.codegen.type;
  projects = builtins.mapAttrs (_: p: { inherit (p) format; dir = toString p.dir; file = toString p.file; }) repo.projects;
  outputs = repo.outputs;
}`
	var got struct {
		Packages, Checks map[string]string
		DevShells        map[string]string
		App              string
		Projects         map[string]map[string]string
		Outputs          map[string]string
	}
	nixEval(t, expr, &got)
	wantPackages := map[string]string{
		"web": "web-1.0.0", "web-node-modules": "web-node-modules",
		"tools": "tools-1.0.0", "tools-node-modules": "tools-node-modules",
		"ocaml": "ocaml-dev", "ocaml-greet": "greet-1.0.0",
		// The locked compiler, built from the lock by default (callPackage
		// fills no argument that would replace it).
		"ocaml-ocaml-base-compiler": "ocaml-base-compiler-4.13.1",
	}
	if diff := cmp.Diff(wantPackages, got.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	wantChecks := map[string]string{"lock2nix-generated": "lock2nix-generated", "web": "web-1.0.0", "tools": "tools-1.0.0", "ocaml": "ocaml-dev"}
	if diff := cmp.Diff(wantChecks, got.Checks); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	for name, want := range map[string]string{"web": "lock2nix_node_modules", "tools": "packages/cli/node_modules", "ocaml": "export OCAMLPATH=/nix/store/"} {
		if !strings.Contains(got.DevShells[name], want) {
			t.Errorf("devShells.%s's shellHook lacks %q:\n%s", name, want, got.DevShells[name])
		}
	}
	if len(got.DevShells) != 3 {
		t.Errorf("devShells: %v, want web, tools, ocaml", got.DevShells)
	}
	if got.App != "app" {
		t.Errorf("apps.codegen.type = %q", got.App)
	}
	wantProjects := map[string]map[string]string{}
	for name, p := range map[string][2]string{"web": {"npm", "package-lock.nix"}, "tools": {"npm", "package-lock.nix"}, "ocaml": {"dune", "dune-lock.nix"}} {
		wantProjects[name] = map[string]string{"format": p[0], "dir": name, "file": filepath.Join(repo, name, p[1])}
	}
	if diff := cmp.Diff(wantProjects, got.Projects); diff != "" {
		t.Errorf("projects (-want +got):\n%s", diff)
	}

	check := repoExpr(repo, bin) + ` repo.checks.lock2nix-generated`
	if _, err := nixBuild(check); err != nil {
		t.Fatalf("the check fails on fresh files: %v", err)
	}
	// The app, built and run from a folder of the repository, regenerates
	// at the repository's root (the folder holding flake.nix).
	app := repoExpr(repo, bin) + ` pkgs.runCommand "app" { } "ln -s ${repo.apps.codegen.program} $out"`
	program, err := nixBuild(app)
	if err != nil {
		t.Fatalf("building the app: %v", err)
	}
	if _, err := exec.LookPath("shellcheck"); err == nil {
		if out, err := exec.Command("shellcheck", "-s", "bash", program).CombinedOutput(); err != nil {
			t.Errorf("shellcheck of the app's script: %v\n%s", err, out)
		}
	}
	runApp := func(args ...string) (string, error) {
		cmd := exec.Command(program, args...)
		cmd.Dir = filepath.Join(repo, "tools", "packages")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := runApp("--check"); err != nil {
		t.Fatalf("the app's --check fails on fresh files: %v\n%s", err, out)
	}

	lock := filepath.Join(repo, "web", "package-lock.json")
	data, err := os.ReadFile(lock)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lock, []byte(strings.ReplaceAll(string(data), "left-pad-1.3.0", "left-pad-1.3.1")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = nixBuild(check)
	var be *buildError
	if err == nil {
		t.Fatal("the check passes on a stale file")
	} else if !errors.As(err, &be) || !strings.Contains(be.log, "stale: web/package-lock.nix;") {
		t.Fatalf("the check fails without naming web/package-lock.nix alone: %v", err)
	}
	if out, err := runApp(); err != nil || !strings.Contains(out, "1 written, 2 unchanged") {
		t.Fatalf("the app does not regenerate web's file alone: %v\n%s", err, out)
	}
	if _, err := nixBuild(check); err != nil {
		t.Fatalf("the check fails after the app regenerated the file: %v", err)
	}
}

// TestFlakeModule evaluates flakeModules.default, as flake.nix gives it,
// with a stub of what it uses of flake-parts and nixpkgs' module system
// (mkPerSystemOption, mkOption, types, mkIf) and a small evaluator of one
// perSystem module: option defaults, the user's definitions over them, the
// module's config with mkIf decided. Neither flake-parts nor nixpkgs' lib
// can be fetched here, so their own type checks and merging stay
// untested, as do nix flake check, nix run and nix develop themselves.
func TestFlakeModule(t *testing.T) {
	needNix(t)
	if testing.Short() {
		t.Skip("builds lock2nix and evaluates with Nix")
	}
	repo, _ := repoFixture(t)
	standin, _ := filepath.Abs("../testdata/nixpkgs-standin")
	expr := `let
  flake = import ../flake.nix;
  self = flake.outputs { inherit self; nixpkgs = import ../testdata/flake-standin.nix; };
  pkgs = import ` + standin + ` { system = "x86_64-linux"; };
  stubLib = {
    mkOption = o: o;
    types = {
      path = "path";
      str = "str";
      attrs = "attrs";
      nullOr = t: "null or ${t}";
      listOf = t: "list of ${t}";
      attrsOf = t: "attrs of ${t}";
    };
    mkIf = cond: content: { _type = "if"; inherit cond content; };
  };
  stubFlakePartsLib.mkPerSystemOption = module: { _type = "perSystemOption"; inherit module; };
  top = self.flakeModules.default { lib = stubLib; flake-parts-lib = stubFlakePartsLib; };
  perSystem =
    user:
    let
      m = top.options.perSystem.module { config.lock2nix = cfg; inherit pkgs; system = "x86_64-linux"; };
      cfg = builtins.mapAttrs (_: o: o.default) m.options.lock2nix // user;
      c = m.config;
    in
    if c._type or null == "if" then (if c.cond then c.content else { }) else c;
  names = r: builtins.mapAttrs (_: builtins.attrNames) r;
  src = ` + repo + `;
in {
  kind = top.options.perSystem._type;
  options = builtins.mapAttrs (_: o: { inherit (o) type default; }) (top.options.perSystem.module { config.lock2nix = { }; pkgs = { }; }).options.lock2nix;
  unset = perSystem { };
  set = names (perSystem { inherit src; });
  # A flake's self stands for its folder.
  self = names (perSystem { src = { outPath = src; }; });
  app = (perSystem { inherit src; app = "regen"; }).apps.regen.type;
  excluded = builtins.attrNames (perSystem { inherit src; exclude = [ "ocaml" ]; }).devShells;
  # settings reach the project's build: its script's name is in the build.
  script = builtins.match ".*(lock2nix-test-script).*" (perSystem { inherit src; settings.web.build.script = "lock2nix-test-script"; }).packages.web.buildPhase;
  # The check runs the flake's own lock2nix.
  check = builtins.elem self.packages.x86_64-linux.default (perSystem { inherit src; }).checks.lock2nix-generated.standinInputs;
}`
	var got map[string]any
	nixEval(t, expr, &got)
	want := map[string]any{
		"kind": "perSystemOption",
		"options": map[string]any{
			"src":      map[string]any{"type": "null or path", "default": nil},
			"settings": map[string]any{"type": "attrs of attrs", "default": map[string]any{}},
			"exclude":  map[string]any{"type": "list of str", "default": []any{}},
			"app":      map[string]any{"type": "str", "default": "codegen"},
		},
		"unset": map[string]any{},
		"set": map[string]any{
			"packages":  []any{"ocaml", "ocaml-greet", "ocaml-ocaml-base-compiler", "tools", "tools-node-modules", "web", "web-node-modules"},
			"devShells": []any{"ocaml", "tools", "web"},
			"checks":    []any{"lock2nix-generated", "ocaml", "tools", "web"},
			"apps":      []any{"codegen"},
		},
		"self": map[string]any{
			"packages":  []any{"ocaml", "ocaml-greet", "ocaml-ocaml-base-compiler", "tools", "tools-node-modules", "web", "web-node-modules"},
			"devShells": []any{"ocaml", "tools", "web"},
			"checks":    []any{"lock2nix-generated", "ocaml", "tools", "web"},
			"apps":      []any{"codegen"},
		},
		"app":      "app",
		"excluded": []any{"tools", "web"},
		"script":   []any{"lock2nix-test-script"},
		"check":    true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the flake module (-want +got):\n%s", diff)
	}
}

// TestRepoBuild builds everything lib.repo gives for the test repository,
// as nix flake check and nix build would (the checks, every package, every
// dev shell), with real Nix through the stand-in: the npm projects fetch
// from the registry npm is configured with (given in lock2nix.toml, as a
// user would), the dune project uses the host's OCaml and dune (given in
// settings). Then the web project's build holds its script's output and
// left-pad, the workspace's build links its member's bin, and the
// locked dune package installed what its actions made.
func TestRepoBuild(t *testing.T) {
	needNix(t)
	if testing.Short() {
		t.Skip("builds with Nix and the network")
	}
	for _, tool := range []string{"npm", "node", "dune", "ocamlc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	reg, err := exec.Command("npm", "config", "get", "registry").Output()
	if err != nil {
		t.Skip("npm config get registry failed")
	}
	flags := fmt.Sprintf("flags = [\"--registry\", %q, \"--replace-registry-host\", \"registry.npm.test\"]\n", strings.TrimSpace(string(reg)))
	repo, bin := repoFixture(t, "[npm.\"web\"]\n"+flags+"[npm.\"tools\"]\n"+flags)
	node, err := exec.Command("node", "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	expr := strings.Replace(repoExpr(repo, bin), "src = "+repo+";", "src = "+repo+"; settings.ocaml.args = { compiler = pkgs.ocaml; };", 1) +
		` builtins.attrValues repo.checks ++ builtins.attrValues repo.packages ++ builtins.attrValues repo.devShells`
	cmd := exec.Command("nix-build", "--no-out-link", "-E", expr)
	cmd.Env = append(nixEnv, "LOCK2NIX_HOST_NODE_VERSION="+strings.TrimPrefix(strings.TrimSpace(string(node)), "v"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nix-build: %v\n%s", err, stderr.String())
	}
	built := map[string]string{}
	for _, p := range strings.Fields(string(out)) {
		built[strings.SplitN(filepath.Base(p), "-", 2)[1]] = p
	}
	for _, f := range []string{
		"web-1.0.0/lib/node_modules/web/out/index.js",
		"web-1.0.0/lib/node_modules/web/node_modules/left-pad/package.json",
		"tools-node-modules/node_modules/ms/package.json",
		"tools-1.0.0/lib/node_modules/tools/node_modules/.bin/cli",
		"tools-1.0.0/lib/node_modules/tools/packages/cli/cli.js",
	} {
		name, rest, _ := strings.Cut(f, "/")
		if _, err := os.Stat(filepath.Join(built[name], rest)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	greet, err := os.ReadFile(filepath.Join(built["greet-1.0.0"], "lib", "greet", "greet.txt"))
	if err != nil || !strings.HasPrefix(string(greet), "greet: a locked package") {
		t.Errorf("greet's install: %q, %v", greet, err)
	}
}

// TestRepoNameClash: names are made from folders, so two folders can get
// the same project or package name; lib.repo stops naming both folders
// rather than drop one.
func TestRepoNameClash(t *testing.T) {
	needNix(t)
	for _, tc := range []struct {
		name  string
		files []string
		attr  string
		want  string
	}{
		{"a/b and a-b", []string{"a/b/package-lock.nix", "a-b/package-lock.nix"}, "projects",
			"the project name a-b comes from both a/b and a-b"},
		{"a folder named root", []string{"package-lock.nix", "root/package-lock.nix"}, "projects",
			"the project name root comes from both the root and root"},
		{"a package named as another project", []string{"web/package-lock.nix", "web-node-modules/package-lock.nix"}, "packages",
			"the package web-node-modules comes from both web and web-node-modules"},
		{"distinct names", []string{"web/package-lock.nix", "api/package-lock.nix"}, "packages", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := t.TempDir()
			for _, f := range tc.files {
				name := filepath.Join(repo, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(name, []byte("{ }\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			expr := repoExpr(repo, "/bin/sh") + " builtins.attrNames repo." + tc.attr
			cmd := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
			cmd.Env = nixEnv
			out, err := cmd.CombinedOutput()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("nix-instantiate: %v\n%s", err, out)
				}
				return
			}
			if err == nil || !strings.Contains(string(out), tc.want) {
				t.Errorf("nix-instantiate: %v\n%s\nwant an error with %q", err, out, tc.want)
			}
		})
	}
}
