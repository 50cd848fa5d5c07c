//go:build linux && !ex_reap && !ex_reap_wrong_nohead && !ex_reap_wrong_nomask

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
func (r *Ring) Completions(f func(CQE)) int {
	head := atomic.LoadUint32(r.cqHead)
	tail := atomic.LoadUint32(r.cqTail)
	for i := head; i != tail; i++ {
		f(r.cqes[i&r.cqMask])
	}
	atomic.StoreUint32(r.cqHead, tail)
	return int(tail - head)
}
