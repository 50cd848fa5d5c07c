//go:build ex_lostwakeup_wrong_noconsume

package event

// Clear, wrong answer for ex_lostwakeup: it re-opens the gate but never
// consumes the kernel's readiness, so a Level registration keeps reporting
// the old event on every Poll.
func (r *Registration) Clear() error {
	if r.s.closed.Load() {
		return ErrClosed
	}
	runTestHookClear()
	r.s.pending.Store(false)
	return nil
}
