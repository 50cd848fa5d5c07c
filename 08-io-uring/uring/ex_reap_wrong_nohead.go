//go:build linux && ex_reap_wrong_nohead

package uring

import "sync/atomic"

// Completions calls f for every CQE now in the completion ring, then frees
// their slots, and returns how many there were. The whole batch costs two
// atomic operations on the shared indexes, not two per CQE.
//
// Order matters twice. The tail is loaded (acquire) before any entry is read,
// so every entry below it is complete. The head is stored (release) after the
// last entry was read: the moment it moves, the kernel may write new CQEs
// into those slots.
//
// f must not call Completions.
//
// A wrong answer to ex_reap: it reads the whole batch but never moves the
// head, so the same CQEs come back on the next call (and the ring fills up).
func (r *Ring) Completions(f func(CQE)) int {
	head := atomic.LoadUint32(r.cqHead)
	tail := atomic.LoadUint32(r.cqTail)
	for i := head; i != tail; i++ {
		f(r.cqes[i&r.cqMask])
	}
	return int(tail - head)
}
