package future

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestAwaitSuspendsWhilePending(t *testing.T) {
	w := &countWaker{}
	cx := NewContext(w)
	g := newGate(20)
	steps := 0
	f := Async(func(co *Co) int {
		steps++
		x := Await(co, g)
		steps++
		return x + 22
	})
	if got := f.Poll(cx); got.IsReady() {
		t.Fatalf("first Poll = %v, want Pending (the awaited gate is closed)", got)
	}
	if got := f.Poll(cx); got.IsReady() { // a spurious poll: harmless
		t.Fatalf("second Poll = %v, want Pending", got)
	}
	if steps != 1 {
		t.Errorf("body ran past Await while the gate was closed (steps = %d, want 1)", steps)
	}
	g.open()
	if w.count() != 1 {
		t.Errorf("opening the gate woke %d times, want 1 (the gate got the Async poll's waker)", w.count())
	}
	if got := f.Poll(cx); got != PollReady(42) {
		t.Fatalf("Poll after open = %v, want Ready(42)", got)
	}
	if g.polls != 3 || steps != 2 {
		t.Errorf("gate polled %d times and steps = %d, want 3 and 2", g.polls, steps)
	}
}

func TestAwaitSequence(t *testing.T) {
	cx := NewContext(Noop())
	a, b := newGate(20), newGate(22)
	f := Async(func(co *Co) int {
		return Await(co, a) + Await(co, b)
	})
	for i, open := range []func(){nil, a.open, b.open} {
		if open != nil {
			open()
		}
		got := f.Poll(cx)
		if i < 2 && got.IsReady() {
			t.Fatalf("Poll %d = %v, want Pending", i+1, got)
		}
		if i == 2 && got != PollReady(42) {
			t.Fatalf("Poll %d = %v, want Ready(42)", i+1, got)
		}
	}
}

func TestAwaitReadyFutureDoesNotSuspend(t *testing.T) {
	cx := NewContext(Noop())
	f := Async(func(co *Co) string { return Await(co, Ready("now")) })
	if got := f.Poll(cx); got != PollReady("now") {
		t.Errorf("Poll = %v, want Ready(now) on the first poll", got)
	}
	mustPanic(t, "Poll after completion", func() { f.Poll(cx) })
}

func TestAsyncNested(t *testing.T) {
	cx := NewContext(Noop())
	g := newGate(40)
	inner := Async(func(co *Co) int { return Await(co, g) + 1 })
	outer := Async(func(co *Co) int { return Await(co, inner) + 1 })
	if got := outer.Poll(cx); got.IsReady() {
		t.Fatalf("Poll = %v, want Pending", got)
	}
	g.open()
	if got := outer.Poll(cx); got != PollReady(42) {
		t.Fatalf("Poll = %v, want Ready(42)", got)
	}
}

// An executor may poll a task on one goroutine and later on another; the
// coroutine follows (never two at once). Run with -race.
func TestAsyncPolledFromSeveralGoroutines(t *testing.T) {
	cx := NewContext(Noop())
	g := newGate(0)
	f := Async(func(co *Co) int {
		sum := 0
		for i := range 5 {
			Await(co, PollFn(func(cx *Context) Poll[int] {
				if g.polls > i {
					return PollReady(0)
				}
				return g.Poll(cx)
			}))
			sum += i
		}
		return sum
	})
	var got Poll[int]
	for range 10 {
		var wg sync.WaitGroup
		wg.Go(func() { got = f.Poll(cx) })
		wg.Wait()
		if got.IsReady() {
			break
		}
	}
	if got != PollReady(10) {
		t.Errorf("Poll = %v, want Ready(10)", got)
	}
}

func TestAsyncDropStopsCoroutine(t *testing.T) {
	defer goleak.VerifyNone(t)
	cx := NewContext(Noop())
	g := newGate(1)
	var trace []string
	f := Async(func(co *Co) int {
		defer func() { trace = append(trace, "deferred ran") }()
		v := Await(co, g)
		trace = append(trace, "after Await") // never reached
		return v
	})
	if got := f.Poll(cx); got.IsReady() {
		t.Fatalf("Poll = %v, want Pending", got)
	}
	Drop(f)
	if len(trace) != 1 || trace[0] != "deferred ran" {
		t.Errorf("after Drop, trace = %q, want [deferred ran]", trace)
	}
	if !g.dropped {
		t.Error("the awaited future was not dropped")
	}
	Drop(f) // twice: harmless
	mustPanic(t, "Poll after Drop", func() { f.Poll(cx) })
}

func TestAsyncDropBeforeFirstPoll(t *testing.T) {
	defer goleak.VerifyNone(t)
	ran := false
	f := Async(func(*Co) int { ran = true; return 1 })
	Drop(f)
	if ran {
		t.Error("a dropped, never-polled body ran")
	}
}

func TestAsyncDropAfterCompletionIsHarmless(t *testing.T) {
	f := Async(func(*Co) int { return 1 })
	f.Poll(NewContext(Noop()))
	Drop(f)
}

// A body that swallows the unwinding and awaits again is unwound again,
// even by an Await whose future is ready: the body never goes on.
func TestAsyncDropBodyThatRecovers(t *testing.T) {
	defer goleak.VerifyNone(t)
	cx := NewContext(Noop())
	continued := false
	f := Async(func(co *Co) int {
		defer func() {
			recover()           // a careless body swallows everything...
			Await(co, Ready(0)) // ...and awaits again: unwound once more
			continued = true
		}()
		return Await(co, newGate(1))
	})
	f.Poll(cx)
	testutil.Within(t, 5*time.Second, "Drop of a body that recovers", func() { Drop(f) })
	if continued {
		t.Error("the dropped body went on past an Await")
	}
}

func TestAsyncPanicSurfacesOnPoller(t *testing.T) {
	cx := NewContext(Noop())
	boom := errors.New("boom")
	g := newGate(1)
	f := Async(func(co *Co) int {
		Await(co, g)
		panic(boom)
	})
	f.Poll(cx)
	g.open()
	r := mustPanic(t, "Poll of a panicking body", func() { f.Poll(cx) })
	pe, ok := r.(*PanicError)
	if !ok {
		t.Fatalf("Poll panicked with %T %v, want *PanicError", r, r)
	}
	if !errors.Is(pe, boom) || pe.Value != boom {
		t.Errorf("PanicError = %v, want it to wrap boom", pe.Value)
	}
	if !strings.Contains(string(pe.Stack), "TestAsyncPanicSurfacesOnPoller") {
		t.Errorf("PanicError.Stack does not show the body:\n%s", pe.Stack)
	}
	if !strings.HasPrefix(pe.Error(), "future: Async body panicked: boom") {
		t.Errorf("Error() = %.60q..., want it to start with the value", pe.Error())
	}
	mustPanic(t, "Poll after the panic", func() { f.Poll(cx) })
}

func TestAsyncNestedPanicKeepsInnerStack(t *testing.T) {
	cx := NewContext(Noop())
	inner := Async(func(*Co) int { panic("inner") })
	outer := Async(func(co *Co) int { return Await(co, inner) })
	r := mustPanic(t, "Poll", func() { outer.Poll(cx) })
	if pe, ok := r.(*PanicError); !ok || pe.Value != "inner" {
		t.Errorf("Poll panicked with %v, want *PanicError{Value: inner}", r)
	}
}

func TestAwaitOutsideItsBodyPanics(t *testing.T) {
	var leaked *Co
	f := Async(func(co *Co) int { leaked = co; return 0 })
	f.Poll(NewContext(Noop()))
	mustPanic(t, "Await after the body returned", func() { Await(leaked, Ready(1)) })
}

// A Select inside an Async body drops the losing coroutine from inside
// another coroutine: nested stop. Both coroutines end.
func TestAsyncSelectInsideAsyncDropsInnerCoroutine(t *testing.T) {
	defer goleak.VerifyNone(t)
	testutil.CheckNoFDLeak(t)
	innerDone := false
	fut := Async(func(co *Co) string {
		slow := Async(func(co *Co) int {
			defer func() { innerDone = true }()
			return Await(co, newGate(1)) // never opened
		})
		fast := Join(worker(func() int { return 1 }), worker(func() int { return 2 }))
		e := Await(co, Select(slow, fast))
		return e.String()
	})
	testutil.Within(t, 10*time.Second, "drive(Async(Select))", func() {
		if v := drive(fut); v != "Right((1, 2))" {
			t.Errorf("drive(Async(Select)) = %q, want Right((1, 2))", v)
		}
	})
	if !innerDone {
		t.Error("the losing inner coroutine was not unwound")
	}
}
