//go:build ex_forget

package channel

// Forget ends w's wait: call it when the operation that queued w is
// abandoned (its future dropped). A queued waiter is unlinked, so no later
// Send or receive wastes its wake on it. A waiter that was already woken
// holds a wake nobody will use: it passes to the next waiter (a receiver's
// to the next receiver, if a value is there for it; a sender's reserved slot
// to the next sender, or back to the buffer). Forget on an idle waiter does
// nothing.
//
// Exercise ex_forget (docs/07-async-chat.md). Check your work with:
//
//	go test -tags ex_forget -run 'TestForget' ./07-async-chat/channel
func (c *Chan[T]) Forget(w *Waiter) {
	// TODO(ex_forget): unlink a queued w (c.unlink), and pass the wake of a
	// woken w on (c.notifyRecv, or c.reserved-- and c.grantSender for a
	// sender). Call the returned waker after c.mu.Unlock().
}
