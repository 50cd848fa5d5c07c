//go:build ex_coalesce_wrong_loadstore

package event

// Set, wrong answer for ex_coalesce: it checks pending, then sets it, in two
// steps. Two Sets can both see false between the check and the update, and
// both make the syscall.
func (s *SetReadiness) Set() error {
	if s.s.closed.Load() {
		return ErrClosed
	}
	if s.s.pending.Load() {
		return nil
	}
	s.s.pending.Store(true)
	return s.s.wake()
}
