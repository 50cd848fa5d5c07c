package executor

import (
	"runtime"
	"testing"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
)

// stopper is a detached task's future: pending until its flag is set, then
// done; it records its polls and whether it was dropped.
type stopper struct {
	stop, dropped bool
	polls         int
	panicAt       int // panic on this poll (0: never)
}

func (f *stopper) Poll(cx *future.Context) future.Poll[struct{}] {
	f.polls++
	if f.polls == f.panicAt {
		panic("stopper panics on purpose")
	}
	if f.stop {
		return future.PollReady(struct{}{})
	}
	cx.Waker().Wake() // come back next turn
	return future.Pending[struct{}]()
}

func (f *stopper) Drop() { f.dropped = true }

// A detached task runs like any task; its panic is counted and logged, never
// propagated; BlockOn drops it if it has not finished; on a closed executor
// it is dropped at once.
func TestSpawnDetached(t *testing.T) {
	testutil.WarmRuntime()
	ex := newExecutor(t, Options{})
	finishes, panics, forever := &stopper{}, &stopper{panicAt: 2}, &stopper{}
	SpawnDetached(ex, finishes) // before BlockOn
	got := blockOn(t, ex, future.Async(func(co *future.Co) string {
		SpawnDetached(ex, panics) // from inside a task
		SpawnDetached(ex, forever)
		for range 3 {
			future.Await(co, YieldNow())
		}
		finishes.stop = true
		for range 3 {
			future.Await(co, YieldNow())
		}
		st := ex.Stats()
		switch {
		case finishes.polls < 2 || finishes.dropped:
			return "the finishing task did not run to its end"
		case st.Panics != 1 || panics.polls != 2:
			return "the panicking task was not stopped at its panic"
		case st.Completed != 2:
			return "want 2 tasks completed (one ready, one panicked)"
		case forever.polls < 3:
			return "the other tasks did not go on"
		}
		return "ok"
	}))
	if got != "ok" {
		t.Error(got)
	}
	if !forever.dropped {
		t.Error("BlockOn returned without dropping the unfinished detached task")
	}
	late := &stopper{}
	SpawnDetached(ex, late) // ex is closed now
	if !late.dropped || late.polls != 0 {
		t.Errorf("on a closed executor: dropped=%v polls=%d, want dropped and never polled", late.dropped, late.polls)
	}
}

// What a detached task saves: the handle's result, waiter and abort flag.
// Heap per spawned task, measured the same way for Spawn(...).Drop() and
// for SpawnDetached (both also count the task table and the inbox, 16 bytes
// or so per task).
func TestSpawnDetachedIsSmaller(t *testing.T) {
	const n = 2000
	perTask := func(spawn func(ex *Executor, f *stopper)) float64 {
		ex := newExecutor(t, Options{})
		defer ex.Close()
		futs := make([]stopper, n) // allocated before the measurement
		before := heapInUse()
		for i := range futs {
			spawn(ex, &futs[i])
		}
		after := heapInUse()
		runtime.KeepAlive(futs)
		return float64(after-before) / n
	}
	withHandle := func(ex *Executor, f *stopper) { Spawn[struct{}](ex, f).Drop() }
	perTask(withHandle) // the first round also pays for one-time allocations: not counted
	handle := perTask(withHandle)
	detached := perTask(func(ex *Executor, f *stopper) { SpawnDetached(ex, f) })
	t.Logf("heap per task: %.0f bytes with a JoinHandle, %.0f detached", handle, detached)
	if detached > handle-32 {
		t.Errorf("a detached task costs %.0f bytes, a dropped JoinHandle[struct{}] %.0f: want at least 32 less", detached, handle)
	}
}
