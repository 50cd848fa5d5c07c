//go:build linux && ex_keepbuffer

package loop

// cancel is what a future's Drop does with the operation it started.
//
// If the CQE came already, nothing of the operation is left in the kernel:
// discard it. If it is in flight, its buffer is the kernel's until the CQE,
// which will come whatever happens: ask the kernel to cancel
// (IORING_OP_ASYNC_CANCEL), mark the operation orphaned, and leave it, with
// its buffer, to complete(), which releases both when the CQE arrives. The
// cancel is a request: the operation may still finish first, or may already
// be running, and then it reads or writes its buffer after this call.
//
// Exercise ex_keepbuffer (docs/08-io-uring.md): this version drops an
// operation in flight the way a readiness future is dropped: it forgets it
// and frees its buffer at once. Check your work with:
//
//	go test -tags ex_keepbuffer -run 'TestDropped' ./08-io-uring/loop
func (l *Loop) cancel(o *op) {
	switch o.state {
	case opDone:
		l.discard(o)
	case opInFlight:
		l.discard(o) // TODO(ex_keepbuffer): the kernel still owns the buffer; cancel, and keep it until the CQE.
	}
}
