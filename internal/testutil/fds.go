package testutil

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// OpenFDs returns the number of file descriptors this process has open, read
// from /proc/self/fd. On systems without /proc it returns -1.
func OpenFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	// ReadDir itself held one descriptor for the directory while listing it.
	return len(entries) - 1
}

// CheckNoFDLeak records how many descriptors are open now and, when the test
// ends, fails it if more are open then. Call it first in a test that opens
// sockets, pollers or events.
//
// The Go runtime opens a few descriptors of its own lazily (its netpoller's
// epoll fd and eventfd on the first timer or channel timeout), so it calls
// WarmRuntime first: they are open before the count.
func CheckNoFDLeak(t testing.TB) {
	t.Helper()
	WarmRuntime()
	before := OpenFDs()
	if before < 0 {
		return // no /proc here: nothing to compare
	}
	t.Cleanup(func() {
		// Closing is synchronous, but give finalizers of anything the test
		// dropped a moment so the comparison is about real leaks.
		var after int
		for range 50 {
			after = OpenFDs()
			if after <= before {
				return
			}
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		t.Errorf("file descriptors open: %d before the test, %d after: a descriptor leaked", before, after)
	})
}

// WarmRuntime makes the Go runtime open the descriptors it opens lazily (the
// netpoller's epoll instance and its wakeup eventfd), so they do not show up as
// a leak. CheckNoFDLeak calls it; call it yourself before counting
// descriptors some other way.
func WarmRuntime() {
	timer := time.NewTimer(time.Millisecond)
	<-timer.C
}

// FDLimitWithRoom returns the RLIMIT_NOFILE that leaves exactly room free
// descriptor numbers in this process. The limit bounds descriptor numbers,
// not a count, and the kernel hands out the lowest free number, so it counts
// free numbers from 0. It reads /proc/self/fd (Linux).
func FDLimitWithRoom(room int) uint64 {
	entries, _ := os.ReadDir("/proc/self/fd")
	open := map[int]bool{}
	for _, e := range entries {
		// The descriptor ReadDir used is closed again: Readlink fails on it.
		if _, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil {
			n, _ := strconv.Atoi(e.Name())
			open[n] = true
		}
	}
	for n, free := 0, 0; ; n++ {
		if !open[n] {
			if free++; free == room {
				return uint64(n + 1)
			}
		}
	}
}
