package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := "testdata/" + name + ".golden"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"../../testdata/npm/v3"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rep []pkgReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	// Every tarball in the report carries the lockfile's hash.
	for _, r := range rep {
		if r.Source == "tarball" && !strings.HasPrefix(r.Hash, "sha512-") {
			t.Errorf("%s: hash %q", r.ID, r.Hash)
		}
	}
	golden(t, "v3.json", out.Bytes())
}

func TestDOT(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-format", "dot", "../../testdata/npm/v3"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	golden(t, "v3.dot", out.Bytes())
}

func TestBadInput(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"testdata/missing"}, &out, &errOut); code != 1 {
		t.Errorf("exit %d for a missing project, want 1", code)
	}
	if code := run(nil, &out, &errOut); code != 2 {
		t.Errorf("exit %d without arguments, want 2", code)
	}
}
