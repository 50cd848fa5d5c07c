package echo

import (
	"sync/atomic"

	"github.com/async-from-scratch/course/04-futures/future"
)

// Trigger is a one-shot event that any goroutine can fire and a task can
// await: the bridge from the world of goroutines (a signal handler) into the
// event loop. Fire calls the waker stored by the last pending poll; the
// executor's waker pushes the task on the ready queue and, if the loop is
// asleep in epoll_wait, sets the executor's custom event (stage 03's
// SetReadiness), which makes epoll_wait return.
type Trigger struct {
	fired atomic.Bool
	slot  future.WakerSlot
}

// Fire makes every Wait future ready; safe from any goroutine, any number of
// times.
func (t *Trigger) Fire() {
	t.fired.Store(true)
	t.slot.Wake()
}

// Fired reports whether Fire was called.
func (t *Trigger) Fired() bool { return t.fired.Load() }

// Wait returns a future that is ready once Fire has been called. It may be
// polled, dropped and created again any number of times.
func (t *Trigger) Wait() future.Future[struct{}] {
	return future.PollFn(func(cx *future.Context) future.Poll[struct{}] {
		// Register first, then check: a Fire between the two finds the new
		// waker; one before Register is seen by the check (no lost wakeup).
		t.slot.Register(cx.Waker())
		if t.fired.Load() {
			return future.PollReady(struct{}{})
		}
		return future.Pending[struct{}]()
	})
}
