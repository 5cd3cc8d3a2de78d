// Package hugepages asks the kernel to back the Go heap of a short run
// with transparent huge pages.
//
// A fresh process pays for each 4 KiB page of heap it touches: a fault,
// the page zeroed, the page table filled, about 10 µs a page on a
// virtual machine, a quarter of lock2nix npm's CPU time on a large
// lockfile (docs/benchmarks.md). With 2 MiB pages the kernel takes one
// fault where it took 512. Linux gives them to memory that asks
// (MADV_HUGEPAGE) when transparent_hugepage is "madvise" (Ubuntu's
// default, and the mode of the machine lock2nix is measured on); with
// "always" the heap has them already, and Reserve does nothing then, nor
// with "never".
package hugepages
