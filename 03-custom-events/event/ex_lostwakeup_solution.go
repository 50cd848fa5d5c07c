//go:build !ex_lostwakeup && !ex_lostwakeup_wrong_noconsume && !ex_lostwakeup_wrong_noreopen

package event

// Clear consumes the readiness after the polling goroutine saw the event, so
// that a Level registration stops reporting it and the next Set makes a new
// wakeup. Call it before looking at the shared state (the queue) the Sets
// announce, and look at that state after Clear returns: a Set that races
// with Clear may be absorbed by it, but then its work is already visible.
//
// Exercise ex_lostwakeup (docs/03-custom-events.md). Check your work with the
// command in ex_lostwakeup_starter.go.
func (r *Registration) Clear() error {
	if r.s.closed.Load() {
		return ErrClosed
	}
	// (1) Consume the kernel's readiness: read the eventfd counter to
	// zero, or drain the pipe. pending is still true, so a Set racing
	// with us now does no syscall: its wakeup is absorbed, and the
	// caller's re-check after Clear sees its work.
	if err := r.s.consume(); err != nil {
		return err
	}
	runTestHookClear()
	// (2) Re-open the gate: from here on, the next Set makes a syscall and
	// so a new event. Doing (2) before (1) would let a Set write between
	// them and (1) swallow that write, leaving pending true forever.
	r.s.pending.Store(false)
	return nil
}
