package executor

import (
	"os"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
)

// jobState reads a blocking future's state, for tests that must drop it at
// a known moment.
func jobState[T any](fut future.Future[Result[T]]) int {
	f := fut.(*blockingFuture[T])
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

// pollOnce polls fut once, which submits a blocking job.
func pollOnce[T any](fut future.Future[T]) future.Future[struct{}] {
	return future.PollFn(func(cx *future.Context) future.Poll[struct{}] {
		fut.Poll(cx)
		return future.PollReady(struct{}{})
	})
}

// sleepUntil checks cond every millisecond, for at most 5 s, on the loop's
// timers (a worker is what makes it true), and reports whether it held.
func sleepUntil(co *future.Co, ex *Executor, cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		future.Await(co, ex.Sleep(time.Millisecond))
	}
	return true
}

// A file opened by a blocking job whose future was dropped is closed at
// once, not left to the garbage collector: dropped while the open runs
// (release runs on the worker), and dropped after the open finished but
// before the task took the file (release runs in Drop). The descriptor count
// is compared with the collector off, so a finalizer cannot hide a leak.
func TestSpawnBlockingReleaseClosesAbandonedFiles(t *testing.T) {
	testutil.WarmRuntime()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	before := testutil.OpenFDs()
	if before < 0 {
		t.Skip("no /proc/self/fd: cannot count descriptors")
	}
	ex := newExecutor(t, Options{Workers: 1})
	var released atomic.Int32
	closeFile := func(f *os.File) { released.Add(1); f.Close() }
	var started atomic.Bool
	finish := make(chan struct{})
	slowOpen := func() (*os.File, error) {
		started.Store(true)
		<-finish // still opening when the future is dropped
		return os.Open("doc.go")
	}
	got := blockOn(t, ex, async(func(co *future.Co) string {
		running := SpawnBlockingRelease(ex, slowOpen, closeFile)
		await(co, pollOnce(running))
		if !sleepUntil(co, ex, started.Load) {
			return "the slow open never started"
		}
		future.Drop(running) // while the open runs
		close(finish)

		done := SpawnBlockingRelease(ex, func() (*os.File, error) { return os.Open("doc.go") }, closeFile)
		await(co, pollOnce(done))
		if !sleepUntil(co, ex, func() bool { return jobState(done) == jobDone }) {
			return "the open never finished"
		}
		future.Drop(done) // after the open, before any poll took the file
		return "ok"
	}))
	if got != "ok" {
		t.Fatal(got)
	}
	// BlockOn waited for the worker, so both releases have run by now.
	if n := released.Load(); n != 2 {
		t.Errorf("release called %d times, want 2 (one per abandoned file)", n)
	}
	if after := testutil.OpenFDs(); after != before {
		t.Errorf("file descriptors open: %d before, %d after the futures that opened files were dropped: an abandoned file leaked", before, after)
	}
}

// A job whose value is never abandoned is never released, and neither is
// the value of a job that failed.
func TestSpawnBlockingReleaseOnlyAbandonedValues(t *testing.T) {
	ex := newExecutor(t, Options{Workers: 1})
	var released atomic.Int32
	release := func(int) { released.Add(1) }
	got := blockOn(t, ex, async(func(co *future.Co) int {
		taken := await(co, SpawnBlockingRelease(ex, func() (int, error) { return 7, nil }, release))
		failed := SpawnBlockingRelease(ex, func() (int, error) { return 0, os.ErrNotExist }, release)
		await(co, pollOnce(failed))
		sleepUntil(co, ex, func() bool { return jobState(failed) == jobDone })
		future.Drop(failed)
		future.Drop(SpawnBlockingRelease(ex, func() (int, error) { return 1, nil }, release)) // never polled: never ran
		return taken.Value
	}))
	if got != 7 {
		t.Errorf("value = %d, want 7", got)
	}
	if n := released.Load(); n != 0 {
		t.Errorf("release called %d times, want 0 (every value was taken, or there was none)", n)
	}
}
