package executor

import (
	"sync/atomic"

	"github.com/async-from-scratch/course/04-futures/future"
)

// Notify is a future that becomes ready once Notify is called, from any
// goroutine: a signal handler, a worker, a test. It is the bridge for
// events that come from outside the loop, such as SIGINT for a clean
// shutdown:
//
//	stop := new(executor.Notify)
//	go func() { <-sigCh; stop.Notify() }()
//	... future.Await(co, stop) // or poll it next to Accept in a state machine
//
// It stores the waker of its latest pending poll in a future.WakerSlot
// (stage 04), so it may be polled by one task after another. The zero value
// is ready to use. Once notified it stays ready.
type Notify struct {
	done atomic.Bool
	slot wakerSlot
}

// Notify makes the future ready and wakes whoever polls it. Safe from any
// goroutine, any number of times.
func (n *Notify) Notify() {
	n.done.Store(true)
	n.slot.Wake()
}

// Notified reports whether Notify was called.
func (n *Notify) Notified() bool { return n.done.Load() }

// Poll is ready once Notify was called.
func (n *Notify) Poll(cx *future.Context) future.Poll[struct{}] {
	if n.done.Load() {
		return future.PollReady(struct{}{})
	}
	// Register first, then check again: a Notify between the first check
	// and Register finds no waker, but is seen here.
	n.slot.Register(cx.Waker())
	if n.done.Load() {
		return future.PollReady(struct{}{})
	}
	return future.Pending[struct{}]()
}

// wakerSlot is stage 04's future.WakerSlot with a test seam: Register
// first runs notifyBeforeRegister, which is then inside the window between
// Poll's first check and Register, where a Notify from another goroutine
// finds no waker. Tests put a Notify there, which a race would hit rarely.
type wakerSlot struct{ future.WakerSlot }

func (s *wakerSlot) Register(w future.Waker) {
	notifyBeforeRegister()
	s.WakerSlot.Register(w)
}

var notifyBeforeRegister = func() {}
