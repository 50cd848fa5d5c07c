//go:build !ex_coalesce && !ex_coalesce_wrong_inverted && !ex_coalesce_wrong_loadstore

package event

// Set makes the user event ready, from any goroutine, any number of times.
// Only the first Set after a Clear makes a syscall; the others find the
// event already pending and return at once (they coalesce into the wakeup
// that is already on its way). After Close it returns ErrClosed.
//
// Exercise ex_coalesce (docs/03-custom-events.md). Check your work with the
// command in ex_coalesce_starter.go.
func (s *SetReadiness) Set() error {
	if s.s.closed.Load() {
		return ErrClosed
	}
	// Failing the CAS means a wakeup is already in flight (or delivered
	// and not yet cleared): the loop will look at its queue anyway, so
	// there is nothing to add. runtime.netpollBreak does the same with
	// netpollWakeSig.
	if !s.s.pending.CompareAndSwap(false, true) {
		return nil
	}
	return s.s.wake()
}
