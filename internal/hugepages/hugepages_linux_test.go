package hugepages

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestReserve checks, in a fresh process as lock2nix runs it, that after
// Reserve the heap's next allocations land in a mapping the kernel was
// told to back with huge pages (the "hg" flag of /proc/self/smaps), and
// that without it they do not. It does not check that the kernel had
// huge pages to give: that depends on the machine's free memory.
func TestReserve(t *testing.T) {
	if child := os.Getenv("HUGEPAGES_TEST_CHILD"); child != "" {
		if child == "reserve" {
			Reserve(32 << 20)
		}
		b := make([]byte, 4<<20)
		addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		fmt.Printf("flags %s\n", vmFlags(t, addr))
		_ = b[len(b)-1]
		return
	}
	mode, err := os.ReadFile(modeFile)
	if err != nil || !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("transparent huge pages are not in madvise mode here, where Reserve does nothing (%q, %v)", mode, err)
	}
	for _, tc := range []struct {
		child  string
		wantHG bool
	}{{"reserve", true}, {"plain", false}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestReserve$", "-test.count=1")
		cmd.Env = append(os.Environ(), "HUGEPAGES_TEST_CHILD="+tc.child)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.child, err, out)
		}
		_, flags, ok := strings.Cut(string(out), "flags ")
		flags, _, _ = strings.Cut(flags, "\n")
		if !ok {
			t.Fatalf("%s: no flags in the output:\n%s", tc.child, out)
		}
		if got := strings.Contains(" "+flags+" ", " hg "); got != tc.wantHG {
			t.Errorf("%s: 4 MiB allocated in a fresh process lies in a mapping with flags %q: huge-page advice %v, want %v", tc.child, flags, got, tc.wantHG)
		}
	}
}

// vmFlags returns the VmFlags line of the mapping of /proc/self/smaps
// that holds addr.
func vmFlags(t *testing.T, addr uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := rangeOf(line); ok {
			in = lo <= addr && addr < hi
			continue
		}
		if in {
			if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok {
				return strings.TrimSpace(rest)
			}
		}
	}
	t.Fatalf("no mapping in /proc/self/smaps holds %#x (%v)", addr, sc.Err())
	return ""
}

// rangeOf reads a mapping's first line, "lo-hi perms ...".
func rangeOf(line string) (lo, hi uintptr, ok bool) {
	field, _, _ := strings.Cut(line, " ")
	l, h, found := strings.Cut(field, "-")
	if !found {
		return 0, 0, false
	}
	a, err1 := strconv.ParseUint(l, 16, 64)
	b, err2 := strconv.ParseUint(h, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(a), uintptr(b), true
}
