package testutil

import (
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// UnderSignals runs f on a goroutine locked to its OS thread and, until f
// returns, sends that thread a SIGURG every 20 ms, so that a system call
// blocked in f (an epoll_wait, say) keeps failing with EINTR. A test then
// checks that f retried them without its caller seeing any. The Go runtime
// itself uses SIGURG for preemption and ignores spare ones, so the signal
// is harmless. Like Within, it fails the test if f runs longer than d.
func UnderSignals(t testing.TB, d time.Duration, what string, f func()) {
	t.Helper()
	tid := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tid <- unix.Gettid()
		f()
	}()
	target := <-tid
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	Within(t, d, what, func() {
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				unix.Tgkill(unix.Getpid(), target, unix.SIGURG)
			}
		}
	})
}
