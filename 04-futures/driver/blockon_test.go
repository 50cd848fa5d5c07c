package driver

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

// BlockOn must leave no goroutine behind, even when its future panics.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// timerFuture becomes ready after d, woken from the timer's goroutine. It
// counts its polls.
type timerFuture struct {
	d     time.Duration
	slot  future.WakerSlot
	fired atomic.Bool
	timer *time.Timer
	polls int
}

func (f *timerFuture) Poll(cx *future.Context) future.Poll[string] {
	f.polls++
	if f.timer == nil {
		f.timer = time.AfterFunc(f.d, func() {
			f.fired.Store(true)
			f.slot.Wake()
		})
	}
	f.slot.Register(cx.Waker())
	if f.fired.Load() {
		return future.PollReady("fired")
	}
	return future.Pending[string]()
}

// The proof that BlockOn sleeps: 100 ms of waiting costs a handful of polls.
// A busy loop would poll thousands of times.
func TestBlockOnDoesNotBusyLoop(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	f := &timerFuture{d: 100 * time.Millisecond}
	testutil.Within(t, 10*time.Second, "BlockOn(timer)", func() {
		start := time.Now()
		v, err := BlockOn[string](f)
		if err != nil || v != "fired" {
			t.Errorf("BlockOn = %q, %v; want fired, nil", v, err)
		}
		if el := time.Since(start); el < 100*time.Millisecond {
			t.Errorf("BlockOn returned after %v, before the timer fired", el)
		}
		// 2 is the norm: pending, then ready. Allow spurious wakes.
		if f.polls < 2 || f.polls > 5 {
			t.Errorf("the future was polled %d times, want 2 to 5 (no busy loop)", f.polls)
		}
		t.Logf("polls: %d", f.polls)
	})
}

// After a wake, BlockOn must consume it before it sleeps again: a future
// that waits twice in a row (two timers) must not turn the second wait into
// a busy loop on a wake-up that was never cleared.
func TestBlockOnSleepsAgainAfterAWake(t *testing.T) {
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	first := &timerFuture{d: 20 * time.Millisecond}
	second := &timerFuture{d: 100 * time.Millisecond}
	fut := future.Async(func(co *future.Co) string {
		future.Await(co, first)
		return future.Await(co, second)
	})
	testutil.Within(t, 10*time.Second, "BlockOn(two timers in a row)", func() {
		if v, err := BlockOn(fut); v != "fired" || err != nil {
			t.Errorf("BlockOn = %q, %v; want fired, nil", v, err)
		}
	})
	if first.polls > 5 || second.polls > 5 {
		t.Errorf("the timers were polled %d and %d times, want 2 to 5 each: the wake-up of the first was not cleared, so BlockOn spun through the second", first.polls, second.polls)
	}
}

// A future that wakes itself before returning pending (Tokio's yield_now):
// the wake lands before BlockOn sleeps, and must not be lost.
func TestBlockOnWakeBeforeSleepIsNotLost(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	n := 0
	f := future.PollFn(func(cx *future.Context) future.Poll[int] {
		n++
		if n == 100 {
			return future.PollReady(n)
		}
		cx.Waker().Wake()
		return future.Pending[int]()
	})
	testutil.Within(t, 10*time.Second, "BlockOn(yield 99 times)", func() {
		if v, err := BlockOn(f); v != 100 || err != nil {
			t.Errorf("BlockOn = %d, %v; want 100, nil", v, err)
		}
	})
}

// Many goroutines wake at once; BlockOn finishes, and a waker called after
// BlockOn returned is harmless (no panic, no write to a reused descriptor).
func TestBlockOnAsyncWithWorkers(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	var kept future.Waker
	var keptMu sync.Mutex
	fut := future.Async(func(co *future.Co) int {
		sum := 0
		for i := range 8 {
			sum += future.Await(co, worker(func() int { return i }))
		}
		future.Await(co, future.PollFn(func(cx *future.Context) future.Poll[struct{}] {
			keptMu.Lock()
			kept = cx.Waker()
			keptMu.Unlock()
			return future.PollReady(struct{}{})
		}))
		return sum
	})
	testutil.Within(t, 10*time.Second, "BlockOn(Async)", func() {
		if v, err := BlockOn(fut); v != 28 || err != nil {
			t.Errorf("BlockOn = %d, %v; want 28, nil", v, err)
		}
	})
	keptMu.Lock()
	kept.Wake()
	keptMu.Unlock()
}

// worker runs f on a new goroutine at the first poll and is ready with its
// result; the goroutine wakes the future through the waker.
func worker[T any](f func() T) future.Future[T] {
	var (
		slot    future.WakerSlot
		started bool
		done    atomic.Bool
		result  T
	)
	return future.PollFn(func(cx *future.Context) future.Poll[T] {
		if !started {
			started = true
			go func() {
				result = f()
				done.Store(true) // publishes result
				slot.Wake()
			}()
		}
		slot.Register(cx.Waker())
		if done.Load() {
			return future.PollReady(result)
		}
		return future.Pending[T]()
	})
}

func TestBlockOnPanicClosesEverything(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	var r any
	func() {
		defer func() { r = recover() }()
		BlockOn(future.Async(func(*future.Co) int { panic("boom") }))
	}()
	if pe, ok := r.(*future.PanicError); !ok || pe.Value != "boom" {
		t.Errorf("BlockOn panicked with %v, want *future.PanicError{Value: boom}", r)
	}
}
