package tcp

import "golang.org/x/sys/unix"

// ignoringEINTR calls fn until it fails with something other than EINTR. A
// signal that arrives while read, write or accept runs makes the call fail
// with EINTR before it did anything: not an answer, just "ask again". This is
// the package's only retry loop (internal/poll has the same helper, for the
// same reason; stage 01's eintr.go is the same function).
//
// Two calls are deliberately not retried. connect: an interrupted connect
// goes on in the background, and calling it again fails with EALREADY (see
// StartConnect). close: the descriptor is released even when close reports
// EINTR, and a retry could close a number another goroutine just got.
func ignoringEINTR[T any](fn func() (T, error)) (T, error) {
	for {
		v, err := fn()
		if err != unix.EINTR {
			return v, err
		}
	}
}
