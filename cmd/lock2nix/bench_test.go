package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/npm"
	"github.com/lock2nix/lock2nix/npmlock"
)

// synthLock makes a lockfileVersion 3 file with n packages: one in three
// nested under another, each with two dependencies, a bin now and then.
func synthLock(n int) []byte {
	pkgs := map[string]any{"": map[string]any{"name": "synth", "version": "1.0.0"}}
	digest := base64.StdEncoding.EncodeToString(make([]byte, 64))
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("pkg-%d", i)
		path := "node_modules/" + name
		if i%3 == 2 {
			path = fmt.Sprintf("node_modules/pkg-%d/node_modules/%s", i-1, name)
		}
		e := map[string]any{
			"version":      "1.0.0",
			"resolved":     fmt.Sprintf("https://registry.npm.test/%s/-/%s-1.0.0.tgz", name, name),
			"integrity":    "sha512-" + digest,
			"license":      "MIT",
			"dependencies": map[string]string{fmt.Sprintf("pkg-%d", (i+1)%n): "^1.0.0", fmt.Sprintf("pkg-%d", (i+7)%n): "^1.0.0"},
		}
		if i%10 == 0 {
			e["bin"] = map[string]string{name: "bin/cli.js"}
			e["dev"] = true
		}
		pkgs[path] = e
	}
	data, err := json.Marshal(map[string]any{"name": "synth", "lockfileVersion": 3, "packages": pkgs})
	if err != nil {
		panic(err)
	}
	return data
}

func benchInputs(b *testing.B) map[string]string {
	in := map[string]string{}
	for _, n := range []int{1000, 10000, 50000} {
		in[fmt.Sprintf("synthetic-%dk", n/1000)] = string(synthLock(n))
	}
	for _, name := range []string{"overleaf__overleaf.2023-12", "aws__aws-toolkit-vscode", "npm__cli"} {
		data, err := os.ReadFile(filepath.Join(corpusDir, "npm", name, "package-lock.json"))
		if err == nil {
			in[name] = string(data)
		}
	}
	return in
}

var benchOpts = npmlock.Options{Registry: npmlock.Registry{URL: "https://registry.npm.test/"}}

// BenchmarkParse measures npmlock.Parse alone; per-package cost should not
// grow with the lockfile's size.
func BenchmarkParse(b *testing.B) {
	for name, data := range benchInputs(b) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := npmlock.Parse("package-lock.json", data, nil, benchOpts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEmit measures building and printing the Nix for a parsed graph.
func BenchmarkEmit(b *testing.B) {
	for name, data := range benchInputs(b) {
		g, err := npmlock.Parse("package-lock.json", data, nil, benchOpts)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(float64(len(g.Packages)), "packages")
			for b.Loop() {
				if err := npm.Emit(io.Discard, g, nixexpr.Header{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTranslate is parse plus emit, what one lock2nix npm run does
// besides reading and writing the files.
func BenchmarkTranslate(b *testing.B) {
	for name, data := range benchInputs(b) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				g, err := npmlock.Parse("package-lock.json", data, nil, benchOpts)
				if err != nil {
					b.Fatal(err)
				}
				buf.Reset()
				if err := npm.Emit(&buf, g, nixexpr.Header{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRun is a whole `lock2nix npm DIR -o FILE` as users run it
// (configuration, sync check, boundary, pins, the write), in-process so
// that -cpuprofile sees all of it.
func BenchmarkRun(b *testing.B) {
	for _, name := range []string{"overleaf__overleaf.2023-12", "aws__aws-toolkit-vscode", "hackmdio__codimd"} {
		dir := filepath.Join(corpusDir, "npm", name)
		if _, err := os.Stat(dir); err != nil {
			b.Skipf("%s: the shared corpus is absent", dir)
		}
		out := filepath.Join(b.TempDir(), "out.nix")
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if code := run([]string{"npm", dir, "-o", out, "--registry", "https://registry.npm.test/", "--allow-unpinned"}, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
