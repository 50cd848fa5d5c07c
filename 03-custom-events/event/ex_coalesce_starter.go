//go:build ex_coalesce

package event

// Set makes the user event ready, from any goroutine, any number of times.
// Only the first Set after a Clear makes a syscall; the others find the
// event already pending and return at once (they coalesce into the wakeup
// that is already on its way). After Close it returns ErrClosed.
//
// Exercise ex_coalesce (docs/03-custom-events.md). Check your work with:
//
//	go test -tags ex_coalesce -run 'Coalesce' ./03-custom-events/event
func (s *SetReadiness) Set() error {
	if s.s.closed.Load() {
		return ErrClosed
	}
	s.s.pending.Store(true) // TODO(ex_coalesce): only the Set that flips pending from false to true may make the syscall.
	return s.s.wake()
}
