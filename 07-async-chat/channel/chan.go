package channel

import (
	"errors"
	"sync"

	"github.com/async-from-scratch/course/04-futures/future"
)

// Errors of a Chan. Compare with errors.Is. PollRecv and PollSend say
// "pending" with executor.ErrPending, like the executor's PollRead.
var (
	// ErrClosed: Close was called. Senders get it at once; receivers once
	// the buffer is empty.
	ErrClosed = errors.New("channel: closed")
	// ErrFull: TrySend found no free slot (or senders queued before it).
	ErrFull = errors.New("channel: full")
	// ErrEmpty: TryRecv found nothing queued.
	ErrEmpty = errors.New("channel: empty")
)

// Chan is a bounded multi-producer, multi-consumer queue of T between tasks
// (and goroutines). Create it with New.
type Chan[T any] struct {
	mu       sync.Mutex // guards everything below
	buf      []T        // ring buffer, len(buf) == capacity
	head     int        // index of the oldest value
	n        int        // values queued
	reserved int        // free slots granted to woken senders, not yet filled
	closed   bool
	recvq    waitq // receivers waiting for a value (or for Close)
	sendq    waitq // senders waiting for a slot, FIFO
}

// New returns a channel that holds up to capacity values. It panics if
// capacity < 1 (see Simplifications in the package doc).
func New[T any](capacity int) *Chan[T] {
	if capacity < 1 {
		panic("channel: capacity must be at least 1")
	}
	return &Chan[T]{buf: make([]T, capacity)}
}

// Cap returns the capacity.
func (c *Chan[T]) Cap() int { return len(c.buf) }

// Len returns how many values are queued now.
func (c *Chan[T]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// TrySend queues v if a slot is free and no sender is queued before it.
// It returns ErrFull or ErrClosed otherwise; it never waits.
func (c *Chan[T]) TrySend(v T) error {
	c.mu.Lock()
	switch {
	case c.closed:
		c.mu.Unlock()
		return ErrClosed
	case !c.sendq.empty() || c.free() == 0:
		c.mu.Unlock()
		return ErrFull
	}
	c.push(v)
	w := c.notifyRecv()
	c.mu.Unlock()
	wake(w)
	return nil
}

// TryRecv takes the oldest value if there is one. It returns ErrEmpty, or
// ErrClosed once the channel is closed and drained; it never waits.
func (c *Chan[T]) TryRecv() (T, error) {
	var zero T
	c.mu.Lock()
	if c.n == 0 {
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return zero, ErrClosed
		}
		return zero, ErrEmpty
	}
	v := c.pop()
	ws := c.grantSender()
	c.mu.Unlock()
	wake(ws)
	return v, nil
}

// Close closes the channel: every waiting sender and receiver is woken;
// senders then get ErrClosed, receivers take what is queued and then get
// ErrClosed. A second Close returns ErrClosed.
func (c *Chan[T]) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	c.closed = true
	// Wake everyone who waits; each will see closed on its next poll. (They
	// are not marked woken: a woken sender holds a reserved slot, and
	// these hold none.)
	var wakers []future.Waker // allocated once per Close, never per message
	for _, q := range []*waitq{&c.recvq, &c.sendq} {
		for w := q.head; w != nil; w = q.head {
			q.remove(w)
			wakers = append(wakers, w.waker)
			w.waker = nil
		}
	}
	c.mu.Unlock()
	for _, w := range wakers {
		wake(w)
	}
	return nil
}

// free is how many slots a new sender may take. c.mu held.
func (c *Chan[T]) free() int { return len(c.buf) - c.n - c.reserved }

// push appends v; a slot must be free (or reserved for the caller). c.mu held.
func (c *Chan[T]) push(v T) {
	c.buf[(c.head+c.n)%len(c.buf)] = v
	c.n++
}

// pop removes the oldest value; c.n > 0. c.mu held.
func (c *Chan[T]) pop() T {
	var zero T
	v := c.buf[c.head]
	c.buf[c.head] = zero // the buffer must not keep what it handed out alive
	c.head = (c.head + 1) % len(c.buf)
	c.n--
	return v
}

// notifyRecv hands one wake to the head receiver if there is something for
// it to see (a value, or the close), and returns the waker to call once
// c.mu is released. c.mu held.
func (c *Chan[T]) notifyRecv() future.Waker {
	if c.n == 0 && !c.closed {
		return nil
	}
	return c.recvq.notifyHead()
}

// grantSender reserves a free slot for the head sender and returns its
// waker: FIFO, and no later sender can take the slot first. c.mu held.
func (c *Chan[T]) grantSender() future.Waker {
	if c.closed || c.free() == 0 || c.sendq.empty() {
		return nil
	}
	c.reserved++
	return c.sendq.notifyHead()
}

// wake calls w if there is one. Wakers run outside c.mu: a waker may run
// the woken task at once (a test's driver does), and that task locks c.mu.
func wake(w future.Waker) {
	if w != nil {
		w.Wake()
	}
}
