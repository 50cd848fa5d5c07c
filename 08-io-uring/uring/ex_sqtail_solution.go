//go:build linux && !ex_sqtail && !ex_sqtail_wrong_mask && !ex_sqtail_wrong_one

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
func (r *Ring) Flush() uint32 {
	atomic.StoreUint32(r.sqTail, r.sqLocal)
	return r.sqLocal - atomic.LoadUint32(r.sqHead)
}
