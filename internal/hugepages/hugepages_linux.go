package hugepages

import (
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on the platforms Go
// runs Linux on (x86-64 and arm64 with 4 KiB base pages).
const hugePage = 2 << 20

// chunk is the unit in which the Go runtime maps heap memory
// (pallocChunkBytes), 4 MiB on every platform.
const chunk = 4 << 20

// Reserve makes the heap hold size bytes more, mapped but untouched,
// advises the kernel to back that range with huge pages, and lets it go:
// the collection it ends with frees the range, and the run's allocations
// land in it. Its pages are never touched before, so this costs a few
// system calls and one collection of a near-empty heap.
//
// The advice has to be given after the runtime maps the range: the
// runtime maps heap memory with mmap(MAP_FIXED) over its reservation,
// which makes a new mapping without the advice.
//
// Only the first call does this: a process's heap is set up once.
//
// It does nothing unless the kernel's mode is "madvise": with "always"
// the heap has huge pages without asking, with "never" asking is no use,
// and either way the collection would be spent for nothing.
func Reserve(size int) {
	once.Do(func() {
		if mode, err := os.ReadFile(modeFile); err == nil && bytes.Contains(mode, []byte("[madvise]")) {
			reserve(size)
		}
	})
}

// modeFile holds the kernel's transparent huge page mode, the chosen one
// in brackets: "always [madvise] never".
const modeFile = "/sys/kernel/mm/transparent_hugepage/enabled"

var once sync.Once

func reserve(size int) {
	// The range is garbage from the start: without this, allocating it
	// starts a collection of its own (the heap is over its goal), which
	// the runtime paced as if it held size bytes to mark and ran for ~9
	// ms before the one below.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	b := make([]byte, size)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	end := start + uintptr(size)
	// Outward to whole huge pages, from the start of the runtime's 4 MiB
	// chunk that holds the range's start (mapped, and where the run's
	// first allocations go once the range is free again): pages already
	// touched there stay small, the others can be huge.
	start &^= chunk - 1
	end = (end + hugePage - 1) &^ (hugePage - 1)
	// Advice only: when it is refused (an old kernel, huge pages off)
	// the heap stays on small pages, as it was.
	syscall.Syscall(syscall.SYS_MADVISE, start, end-start, syscall.MADV_HUGEPAGE)
	runtime.KeepAlive(b)
	runtime.GC()
}
