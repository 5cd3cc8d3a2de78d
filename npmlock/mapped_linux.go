package npmlock

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"runtime/debug"
	"syscall"
	"unsafe"
)

// unmap ends a mapping; TestMappedTextStaysInside makes it take the pages'
// access away instead, so that the addresses stay reserved and any read
// of them faults.
var unmap = syscall.Munmap

// parseMapped calls parse with the text of f mapped into memory, and
// unmaps it before it returns: the text, an unsafe.String over the
// mapping, must not outlive the call, which is why parse is given it and
// nothing else is. mapped is false, and parse not called, where f is no
// regular file (a pipe, a terminal), is empty, or cannot be mapped: the
// caller then reads it.
//
// A read of a page the file no longer has (another program truncated it
// during the parse) faults; that fault comes back as an error.
func parseMapped(f *os.File, parse func(text string) error) (mapped bool, err error) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size() > math.MaxInt {
		return false, nil
	}
	raw, err := f.SyscallConn()
	if err != nil {
		return false, nil
	}
	var b []byte
	var mapErr error
	if err := raw.Control(func(fd uintptr) {
		b, mapErr = syscall.Mmap(int(fd), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE)
	}); err != nil || mapErr != nil {
		return false, nil
	}
	defer unmap(b)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if fault, ok := r.(interface{ Addr() uintptr }); ok {
			if a, start := fault.Addr(), uintptr(unsafe.Pointer(&b[0])); a >= start && a-start < uintptr(len(b)) {
				mapped, err = true, &fs.PathError{Op: "read", Path: fi.Name(), Err: errors.New("the file was cut short while it was read")}
				return
			}
		}
		panic(r)
	}()
	return true, parse(unsafe.String(&b[0], len(b)))
}
