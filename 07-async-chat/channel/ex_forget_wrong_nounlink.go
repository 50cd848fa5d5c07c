//go:build ex_forget_wrong_nounlink

package channel

// Forget, a wrong answer: it passes a held wake on, but leaves a queued
// waiter in the queue, where the next send wakes it instead of a live one.
//
//	go test -tags ex_forget_wrong_nounlink -run 'TestForget' ./07-async-chat/channel
func (c *Chan[T]) Forget(w *Waiter) {
	c.mu.Lock()
	if !w.woken {
		c.mu.Unlock()
		return
	}
	w.woken = false
	next := c.notifyRecv
	if w.sender {
		c.reserved--
		next = c.grantSender
	}
	wk := next()
	c.mu.Unlock()
	wake(wk)
}
