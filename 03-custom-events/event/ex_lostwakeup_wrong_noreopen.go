//go:build ex_lostwakeup_wrong_noreopen

package event

// Clear, wrong answer for ex_lostwakeup: it consumes the kernel's readiness
// but never re-opens the gate, so every later Set finds pending true.
func (r *Registration) Clear() error {
	if r.s.closed.Load() {
		return ErrClosed
	}
	runTestHookClear()
	return r.s.consume()
}
