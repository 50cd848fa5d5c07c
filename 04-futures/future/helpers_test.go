package future

import (
	"sync/atomic"
	"testing"
)

// countWaker counts its wakes.
type countWaker struct{ n atomic.Int32 }

func (w *countWaker) Wake()      { w.n.Add(1) }
func (w *countWaker) count() int { return int(w.n.Load()) }

// gate is a leaf future that is pending until open is called, then ready
// with v. It keeps the poll contract with a WakerSlot and records how it was
// used.
type gate struct {
	slot    WakerSlot
	isOpen  atomic.Bool
	v       int
	polls   int
	dropped bool
}

func newGate(v int) *gate { return &gate{v: v} }

func (g *gate) Poll(cx *Context) Poll[int] {
	g.polls++
	g.slot.Register(cx.Waker()) // (1) store the latest waker,
	if g.isOpen.Load() {        // (2) then check: a concurrent open is never missed
		return PollReady(g.v)
	}
	return Pending[int]()
}

func (g *gate) open() {
	g.isOpen.Store(true)
	g.slot.Wake()
}

func (g *gate) Drop() { g.dropped = true }

// mustPanic calls f and returns what it panicked with, failing t if it did
// not panic.
func mustPanic(t *testing.T, what string, f func()) (r any) {
	t.Helper()
	defer func() {
		r = recover()
		if r == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
	return nil
}

// worker runs f on a new goroutine at the first poll and is ready with its
// result; the goroutine wakes the future through the waker.
func worker[T any](f func() T) Future[T] {
	var (
		slot    WakerSlot
		started bool
		done    atomic.Bool
		result  T
	)
	return PollFn(func(cx *Context) Poll[T] {
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
			return PollReady(result)
		}
		return Pending[T]()
	})
}

// chanWaker wakes by a non-blocking send on a channel of capacity one, so
// wakes coalesce and none is lost.
type chanWaker chan struct{}

func (w chanWaker) Wake() {
	select {
	case w <- struct{}{}:
	default:
	}
}

// drive polls fut on this goroutine until it is ready, sleeping on a channel
// in between: a driver with no operating system in it, for this package's
// tests. (The real ones are stage 04's driver.BlockOn and stage 05's
// executor.)
func drive[T any](fut Future[T]) T {
	woken := make(chanWaker, 1)
	cx := NewContext(woken)
	for {
		if r := fut.Poll(cx); r.IsReady() {
			return r.Value()
		}
		<-woken
	}
}
