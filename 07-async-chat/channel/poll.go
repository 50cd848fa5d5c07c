package channel

import (
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// PollRecv takes the oldest value: (v, nil); or (zero, ErrClosed) once the
// channel is closed and drained; or executor.ErrPending after leaving w in
// the receive queue with cx's waker. It is the Poll-style call a
// hand-written future makes (Recv wraps it): poll again with the same w when
// woken, or call Forget(w) to stop waiting.
func (c *Chan[T]) PollRecv(cx *future.Context, w *Waiter) (T, error) {
	var zero T
	c.mu.Lock()
	w.woken = false // this poll is the wake's use (if it held one)
	if c.n == 0 {
		if c.closed {
			c.unlink(w)
			c.mu.Unlock()
			return zero, ErrClosed
		}
		// Nothing to take. Leave the latest waker and wait; a Send (or
		// Close) under this same lock will find it, so no wake can fall
		// between this check and the queueing.
		w.waker = cx.Waker()
		if !w.queued {
			w.sender = false
			c.recvq.pushBack(w)
		}
		c.mu.Unlock()
		return zero, executor.ErrPending
	}
	c.unlink(w) // polled while queued (a spurious wake): leave the queue
	v := c.pop()
	// A slot is free: grant it to the head sender. (No receiver needs a
	// wake here: every push wakes one, and a receiver only queues when the
	// buffer is empty.)
	ws := c.grantSender()
	c.mu.Unlock()
	wake(ws)
	return v, nil
}

// PollSend queues v: nil once it is in the buffer; ErrClosed if the channel
// is closed (v was not sent); or executor.ErrPending after leaving w in the
// send queue with cx's waker (v was not sent; pass it again on the next
// poll). Senders are served in the order they queued.
func (c *Chan[T]) PollSend(cx *future.Context, w *Waiter, v T) error {
	c.mu.Lock()
	if c.closed {
		c.unlink(w)
		if w.woken {
			w.woken = false
			c.reserved--
		}
		c.mu.Unlock()
		return ErrClosed
	}
	switch {
	case w.woken: // a slot was reserved for us
		w.woken = false
		c.reserved--
	case w.queued || !c.sendq.empty() || c.free() == 0:
		// Full, or others are waiting ahead of us: queue (FIFO), or stay
		// queued with the latest waker.
		w.waker = cx.Waker()
		if !w.queued {
			w.sender = true
			c.sendq.pushBack(w)
		}
		c.mu.Unlock()
		return executor.ErrPending
	}
	c.push(v)
	wr := c.notifyRecv()
	c.mu.Unlock()
	wake(wr)
	return nil
}

// unlink takes w out of its queue, if it is in one. c.mu held.
func (c *Chan[T]) unlink(w *Waiter) {
	if !w.queued {
		return
	}
	if w.sender {
		c.sendq.remove(w)
	} else {
		c.recvq.remove(w)
	}
}
