//go:build linux && ex_keepbuffer_wrong_nocancel

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
// A wrong answer to ex_keepbuffer: it keeps the buffer until the CQE but
// never asks the kernel to cancel, so a dropped recv or timer stays in flight
// until data or its deadline comes (and Run waits for it).
func (l *Loop) cancel(o *op) {
	switch o.state {
	case opDone:
		l.discard(o)
	case opInFlight:
		l.dropDelivered(o)
		o.state, o.waker = opOrphaned, nil
		l.stats.Cancels++
	}
}
