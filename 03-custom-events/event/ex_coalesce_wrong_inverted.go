//go:build ex_coalesce_wrong_inverted

package event

// Set, wrong answer for ex_coalesce: the compare-and-swap's result read the
// wrong way round. The Set that wins the CAS returns, and the ones that find
// the event already pending make the syscall.
func (s *SetReadiness) Set() error {
	if s.s.closed.Load() {
		return ErrClosed
	}
	if s.s.pending.CompareAndSwap(false, true) {
		return nil
	}
	return s.s.wake()
}
