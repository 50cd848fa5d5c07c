//go:build ex_forget_wrong_nopass

package channel

// Forget, a wrong answer: it unlinks a queued waiter but forgets that a
// woken one holds a wake (or a reserved slot) that nobody else will get.
//
//	go test -tags ex_forget_wrong_nopass -run 'TestForget' ./07-async-chat/channel
func (c *Chan[T]) Forget(w *Waiter) {
	c.mu.Lock()
	c.unlink(w)
	w.woken = false
	c.mu.Unlock()
}
