package executor

import (
	"fmt"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
)

// A stopped timer leaves the heap at once and never fires, even long after
// its deadline; a timer stopped while a task waits on it does not wake it.
func TestStoppedTimerNeverFires(t *testing.T) {
	ex := newExecutor(t, Options{})
	got := blockOn(t, ex, async(func(co *future.Co) string {
		stopped := ex.NewTimer(time.Millisecond)
		waited := ex.NewTimer(time.Millisecond)
		woken := &wakeCounter{}
		waited.Poll(future.NewContext(woken)) // a waiter, then Stop
		stopped.Stop()
		waited.Stop()
		if n := len(ex.timers); n != 0 {
			return fmt.Sprintf("after Stop, %d timers are still in the heap, want 0", n)
		}
		await(co, ex.Sleep(20*time.Millisecond)) // well past both deadlines
		switch {
		case stopped.fired || waited.fired:
			return "a stopped timer fired"
		case woken.n.Load() != 0:
			return "a stopped timer woke the task that had polled it"
		}
		return "ok"
	}))
	if got != "ok" {
		t.Error(got)
	}
}

// A timer polled by one task and then by another wakes the second one: the
// waker of the latest pending poll, as the future contract asks. A timer that
// kept its first waker would wake task A, which no longer waits, and leave B
// asleep forever.
func TestTimerWakesLatestPoller(t *testing.T) {
	ex := newExecutor(t, Options{})
	got := blockOn(t, ex, async(func(co *future.Co) string {
		tm := ex.NewTimer(10 * time.Millisecond)
		a := Spawn(ex, future.PollFn(func(cx *future.Context) future.Poll[int] {
			tm.Poll(cx) // polls the timer once, then waits for nothing
			return future.Pending[int]()
		}))
		await(co, YieldNow()) // a has polled tm
		b := Spawn(ex, tm)    // b polls it next: the latest poller
		r := await(co, Timeout(ex, 2*time.Second, future.Future[Result[struct{}]](b)))
		a.Abort()
		if r.Err != nil {
			return "lost wakeup: the timer fired but did not wake task B, the latest task to poll it (it kept an earlier waker)"
		}
		return "ok"
	}))
	if got != "ok" {
		t.Error(got)
	}
}

// Close empties the heap; a timer that was armed then must not point into
// it: Stop and an earlier Reset after Close are no-ops, not an index out of
// range.
func TestTimerStopAndResetAfterClose(t *testing.T) {
	ex := newExecutor(t, Options{})
	var armed, alsoArmed *Timer
	blockOn(t, ex, future.PollFn(func(*future.Context) future.Poll[int] {
		armed = ex.NewTimer(time.Hour) // nobody polls or drops them: they stay armed
		alsoArmed = ex.NewTimer(time.Hour)
		ex.NewTimer(time.Hour)
		return future.PollReady(0)
	}))
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("a timer used after its executor closed panicked: %v", r)
		}
	}()
	alsoArmed.Stop()
	armed.Reset(time.Millisecond)
	armed.Stop()
}
