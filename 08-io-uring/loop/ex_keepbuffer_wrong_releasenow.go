//go:build linux && ex_keepbuffer_wrong_releasenow

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
// A wrong answer to ex_keepbuffer: it cancels and waits for the CQE, but
// gives the buffer back at once, as if the cancel were instant.
func (l *Loop) cancel(o *op) {
	switch o.state {
	case opDone:
		l.discard(o)
	case opInFlight:
		l.dropDelivered(o)
		l.releaseOwned(o)
		o.state, o.waker = opOrphaned, nil
		l.stats.Cancels++
		l.sqe().PrepCancel(o.userData(), ignoreUserData)
	}
}
