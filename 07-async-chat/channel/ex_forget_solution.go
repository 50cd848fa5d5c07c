//go:build !ex_forget && !ex_forget_wrong_nopass && !ex_forget_wrong_nounlink

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
	c.mu.Lock()
	if w.queued {
		c.unlink(w)
		w.waker = nil
		c.mu.Unlock()
		return
	}
	if !w.woken {
		c.mu.Unlock()
		return
	}
	w.woken = false
	var next = c.notifyRecv
	if w.sender {
		c.reserved--         // give the slot back...
		next = c.grantSender // ...and grant it to the next sender, if any
	}
	wk := next()
	c.mu.Unlock()
	wake(wk)
}
