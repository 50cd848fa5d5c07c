//go:build linux && ex_sqtail

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
// Exercise ex_sqtail (docs/08-io-uring.md): this version counts the SQEs
// but never publishes them, so the kernel sees none. Check your work with:
//
//	go test -tags ex_sqtail -run 'TestNops|TestRingsWrapAround' ./08-io-uring/uring
func (r *Ring) Flush() uint32 {
	// TODO(ex_sqtail): publish r.sqLocal as the SQ tail, with a store-release.
	return r.sqLocal - atomic.LoadUint32(r.sqHead)
}
