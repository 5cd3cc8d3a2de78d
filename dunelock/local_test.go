package dunelock

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// dune writes local pins at absolute paths. One inside the project's
// folder on this machine is read as the relative path; anything else
// absolute, Windows paths among them, stops at its place.
func TestLocalPaths(t *testing.T) {
	const outside = "is outside the project: lock2nix reads local sources from the project folder, so that the Nix file builds on any machine; copy it into the project and refer to it by a path relative to the project root"
	tests := []struct {
		name, dir, source string
		want, wantErr     string
	}{
		{"copy inside", "/home/me/proj", `(copy /home/me/proj/vendor/foo)`, "directory vendor/foo", ""},
		{"copy the project itself", "/home/me/proj", `(copy /home/me/proj)`, "directory .", ""},
		{"copy with a trailing slash", "/home/me/proj/", `(copy /home/me/proj/vendor/)`, "directory vendor", ""},
		{"file URL inside", "/home/me/proj", `(fetch (url file:///home/me/proj/vendor/foo))`, "directory vendor/foo", ""},
		{"file URL to an archive inside", "/home/me/proj", `(fetch (url file:///home/me/proj/a.tar.gz) (checksum md5=d41d8cd98f00b204e9800998ecf8427e))`, "local-tarball a.tar.gz md5-1B2M2Y8AsgTpgAmY7PhCfg==", ""},
		{"bare path inside", "/home/me/proj", `(fetch (url /home/me/proj/b.tbz))`, "local-tarball b.tbz ", ""},
		{"bare folder inside", "/home/me/proj", `(fetch (url "/home/me/proj/src"))`, "directory src", ""},
		{"relative stays", "/home/me/proj", `(copy vendor/foo)`, "directory vendor/foo", ""},
		{"a sibling with the project's name as prefix", "/home/me/proj", `(copy /home/me/project2/foo)`, "", "dune.lock/a.pkg:2:15: local source /home/me/project2/foo " + outside},
		{"up and out", "/home/me/proj", `(fetch (url file:///home/me/proj/../nondune))`, "", "dune.lock/a.pkg:2:21: local source /home/me/proj/../nondune " + outside},
		{"another machine's path", "/home/me/proj", `(copy /home/you/proj/foo)`, "", "dune.lock/a.pkg:2:15: local source /home/you/proj/foo " + outside},
		{"no project folder given", "", `(copy /home/me/proj/foo)`, "", "dune.lock/a.pkg:2:15: local source /home/me/proj/foo " + outside},
		{"Windows drive in a file URL", "/home/me/proj", `(fetch (url file://C:/Users/me/proj/foo))`, "", "dune.lock/a.pkg:2:21: local source C:/Users/me/proj/foo " + outside},
		{"Windows drive in copy", "/home/me/proj", `(copy "C:\\Users\\me\\proj")`, "", `dune.lock/a.pkg:2:15: local source C:\Users\me\proj ` + outside},
		{"Windows drive, lower case, bare", "/home/me/proj", `(fetch (url d:/src/a.tar.gz))`, "", "dune.lock/a.pkg:2:21: local source d:/src/a.tar.gz " + outside},
		{"git repository inside", "/home/me/proj", `(fetch (url git+file:///home/me/proj/vendor/r#0123456789abcdef0123456789abcdef01234567))`, "git file:///home/me/proj/vendor/r", ""},
		{"git repository outside", "/home/me/proj", `(fetch (url git+file:///home/me/other#0123456789abcdef0123456789abcdef01234567))`, "", "dune.lock/a.pkg:2:21: local source /home/me/other " + outside},
		{"git repository behind percent-encoded dot segments", "/home/me/proj", `(fetch (url git+file:///home/me/proj/%2e%2e/other#0123456789abcdef0123456789abcdef01234567))`, "", "dune.lock/a.pkg:2:21: local source /home/me/proj/../other " + outside},
		{"git repository behind percent-encoded slashes", "/home/me/proj", `(fetch (url git+file:///home/me/proj/vendor%2F..%2F..%2Fother#0123456789abcdef0123456789abcdef01234567))`, "", "dune.lock/a.pkg:2:21: local source /home/me/proj/vendor/../../other " + outside},
		{"git repository at a relative URL", "/home/me/proj", `(fetch (url git+file://vendor/a#0123456789abcdef0123456789abcdef01234567))`, "", "dune.lock/a.pkg:2:21: git+file repository git+file://vendor/a#0123456789abcdef0123456789abcdef01234567 is not a file URL with an absolute path"},
		{"Windows network path", "/home/me/proj", `(copy "\\\\host\\share\\foo")`, "", `dune.lock/a.pkg:2:15: local source \\host\share\foo ` + outside},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := lockFS(map[string]string{"a.pkg": "(version 1)\n(source " + tt.source + ")\n"})
			l, err := ParseFS(fsys, DefaultDir, Options{Dir: tt.dir})
			var got, gotErr string
			if err != nil {
				gotErr = err.Error()
			} else {
				s := l.Graph.Packages[0].Source
				got = fmt.Sprintf("%s %s%s", s.Kind, s.URL, s.Path)
				if s.Kind.String() == "local-tarball" {
					got += " " + s.Hash.String()
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("source (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// A lock generated in another folder (a checkout elsewhere, the Nix
// store's copy) is read from the folder its absolute pins share, when
// each names the same relative path inside this project.
func TestLocalPathsElsewhere(t *testing.T) {
	const outside = "is outside the project: lock2nix reads local sources from the project folder, so that the Nix file builds on any machine; copy it into the project and refer to it by a path relative to the project root"
	tests := []struct {
		name    string
		pkgs    map[string]string
		extra   []string // files of the project
		want    string
		wantErr string
	}{
		{"one pin", map[string]string{"a.pkg": "(version 1)\n(source (copy /gen/dp/vendor/a))\n"}, []string{"vendor/a/x"}, "a=vendor/a", ""},
		{"two pins share the folder", map[string]string{
			"a.pkg": "(version 1)\n(source (copy /gen/dp/vendor/a))\n",
			"b.pkg": "(version 1)\n(source (fetch (url file:///gen/dp/lib/b.tar.gz)))\n",
		}, []string{"vendor/a/x", "lib/b.tar.gz"}, "a=vendor/a b=lib/b.tar.gz", ""},
		{"the highest shared folder", map[string]string{"a.pkg": "(version 1)\n(source (copy /gen/dp/vendor/a))\n"}, []string{"vendor/a/x", "a/x"}, "a=vendor/a", ""},
		{"pins that share no folder", map[string]string{
			"a.pkg": "(version 1)\n(source (copy /gen/dp/vendor/a))\n",
			"b.pkg": "(version 1)\n(source (copy /other/b))\n",
		}, []string{"vendor/a/x"}, "", "dune.lock/a.pkg:2:15: local source /gen/dp/vendor/a " + outside + "\ndune.lock/b.pkg:2:15: local source /other/b " + outside},
		{"not in the project", map[string]string{"a.pkg": "(version 1)\n(source (copy /gen/dp/vendor/a))\n"}, nil, "", "dune.lock/a.pkg:2:15: local source /gen/dp/vendor/a " + outside},
		{"never the project itself", map[string]string{"a.pkg": "(version 1)\n(source (copy /gen/dp))\n"}, nil, "", "dune.lock/a.pkg:2:15: local source /gen/dp " + outside},
		{"a git repository is read where its URL says", map[string]string{
			"a.pkg": "(version 1)\n(source (copy /gen/dp/vendor/a))\n",
			"b.pkg": "(version 1)\n(source (fetch (url git+file:///gen/dp/vendor/r#0123456789abcdef0123456789abcdef01234567)))\n",
		}, []string{"vendor/a/x", "vendor/r/x"}, "", "dune.lock/b.pkg:2:21: local source /gen/dp/vendor/r " + outside},
		{"up and out stays out", map[string]string{"a.pkg": "(version 1)\n(source (copy /gen/dp/../../etc))\n"}, nil, "", "dune.lock/a.pkg:2:15: local source /gen/dp/../../etc " + outside},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := lockFS(tt.pkgs)
			for _, f := range tt.extra {
				fsys[f] = &fstest.MapFile{}
			}
			l, err := ParseFS(fsys, DefaultDir, Options{Dir: "/home/me/dp2"})
			var got []string
			var gotErr string
			if err != nil {
				gotErr = err.Error()
			} else {
				for _, p := range l.Graph.Packages {
					got = append(got, p.Name+"="+p.Source.Path)
				}
			}
			if diff := cmp.Diff(tt.want, strings.Join(got, " ")); diff != "" {
				t.Errorf("sources (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}
