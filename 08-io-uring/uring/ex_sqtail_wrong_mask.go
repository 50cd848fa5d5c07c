//go:build linux && ex_sqtail_wrong_mask

package uring

import "sync/atomic"

// Flush publishes every SQE handed out by NextSQE since the last Flush by
// moving the SQ tail, and returns how many are now waiting for Enter.
//
// The store of the tail is the release: every plain write to those SQEs
// happens before it, so a kernel that reads the new tail (with a
// load-acquire) sees complete SQEs. With a plain store the compiler or the
// CPU may make the tail visible before the SQEs, and the kernel may run half
// an SQE. The tail is free-running: it counts SQEs ever published, and only
// an index into the array is masked.
//
// A wrong answer to ex_sqtail: it publishes the tail masked, as if it were an
// index into the SQE array. It works until the ring wraps.
func (r *Ring) Flush() uint32 {
	atomic.StoreUint32(r.sqTail, r.sqLocal&r.sqMask)
	return r.sqLocal - atomic.LoadUint32(r.sqHead)
}
