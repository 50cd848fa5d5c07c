package channel

import "github.com/async-from-scratch/course/04-futures/future"

// Waiter is a task's place in a channel's queue: one per waiting future,
// embedded in it (or in a hand-written state machine), so waiting allocates
// nothing. The zero value is ready to use. Pass the same Waiter to every
// PollRecv or PollSend of one operation, and to Forget if the operation is
// abandoned. A Waiter belongs to one channel at a time.
type Waiter struct {
	prev, next *Waiter
	queued     bool         // linked into recvq or sendq
	sender     bool         // which queue: sendq if true (set when queued)
	woken      bool         // notified and unlinked; holds a wake (a sender: a reserved slot)
	waker      future.Waker // the latest pending poll's waker; nil once used
}

// waitq is an intrusive FIFO list of waiters. Guarded by the channel's mu.
type waitq struct {
	head, tail *Waiter
}

func (q *waitq) empty() bool { return q.head == nil }

func (q *waitq) pushBack(w *Waiter) {
	w.prev, w.next = q.tail, nil
	if q.tail != nil {
		q.tail.next = w
	} else {
		q.head = w
	}
	q.tail = w
	w.queued = true
}

func (q *waitq) remove(w *Waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		q.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		q.tail = w.prev
	}
	w.prev, w.next, w.queued = nil, nil, false
}

// notifyHead unlinks the head waiter, marks it woken and returns its waker
// (nil if the queue is empty).
func (q *waitq) notifyHead() future.Waker {
	w := q.head
	if w == nil {
		return nil
	}
	q.remove(w)
	w.woken = true
	wk := w.waker
	w.waker = nil
	return wk
}
