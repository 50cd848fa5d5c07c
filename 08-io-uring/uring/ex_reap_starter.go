//go:build linux && ex_reap

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
// Exercise ex_reap (docs/08-io-uring.md): this version takes one CQE per
// call, so a loop that reaps once per turn falls behind. Check your work with:
//
//	go test -tags ex_reap -run 'TestNops|TestRingsWrapAround' ./08-io-uring/uring
func (r *Ring) Completions(f func(CQE)) int {
	head := atomic.LoadUint32(r.cqHead)
	if head == atomic.LoadUint32(r.cqTail) {
		return 0
	}
	f(r.cqes[head&r.cqMask]) // TODO(ex_reap): every CQE up to the tail, then move the head once.
	atomic.StoreUint32(r.cqHead, head+1)
	return 1
}
