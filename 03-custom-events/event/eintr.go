package event

import "golang.org/x/sys/unix"

// ignoringEINTR calls fn until it fails with something other than EINTR: a
// signal that arrives during a write or read of the kernel object makes the
// call fail before it did anything, so asking again is always right. The
// package's only retry loop; close is not retried (see release).
func ignoringEINTR[T any](fn func() (T, error)) (T, error) {
	for {
		v, err := fn()
		if err != unix.EINTR {
			return v, err
		}
	}
}
