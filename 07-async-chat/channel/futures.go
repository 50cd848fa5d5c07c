package channel

import (
	"errors"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// Recv returns a future of the oldest value, or of ErrClosed once the
// channel is closed and drained. Dropping it before it is ready loses
// nothing (cancel-safe): the value stays queued, and a wake it was given
// passes to the next receiver.
func (c *Chan[T]) Recv() future.Future[executor.Result[T]] {
	return &recvFuture[T]{c: c}
}

type recvFuture[T any] struct {
	c    *Chan[T]
	w    Waiter
	done bool
}

func (f *recvFuture[T]) Poll(cx *future.Context) future.Poll[executor.Result[T]] {
	if f.done {
		panic("channel: Recv polled after completion")
	}
	v, err := f.c.PollRecv(cx, &f.w)
	if errors.Is(err, executor.ErrPending) {
		return future.Pending[executor.Result[T]]()
	}
	f.done = true
	return future.PollReady(executor.Result[T]{Value: v, Err: err})
}

// Drop leaves the queue (and passes on a wake it held).
func (f *recvFuture[T]) Drop() {
	if !f.done {
		f.c.Forget(&f.w)
	}
}

// Send returns a future that queues v: ready with nil once v is in the
// buffer, or with ErrClosed. While the buffer is full it waits its turn
// (FIFO). Dropping it before it is ready sends nothing, and a slot reserved
// for it passes to the next sender.
func (c *Chan[T]) Send(v T) future.Future[error] {
	return &sendFuture[T]{c: c, v: v}
}

type sendFuture[T any] struct {
	c    *Chan[T]
	v    T
	w    Waiter
	done bool
}

func (f *sendFuture[T]) Poll(cx *future.Context) future.Poll[error] {
	if f.done {
		panic("channel: Send polled after completion")
	}
	err := f.c.PollSend(cx, &f.w, f.v)
	if errors.Is(err, executor.ErrPending) {
		return future.Pending[error]()
	}
	f.done = true
	var zero T
	f.v = zero
	return future.PollReady(err)
}

func (f *sendFuture[T]) Drop() {
	if !f.done {
		f.c.Forget(&f.w)
	}
}

// SendWait sends v from a goroutine that is not a task (a worker, a signal
// handler): it blocks until v is queued or the channel is closed. Never call
// it from a task: it would block the whole event loop.
func (c *Chan[T]) SendWait(v T) error {
	if err := c.TrySend(v); !errors.Is(err, ErrFull) {
		return err // sent, or closed: no need to wait
	}
	woken := make(chan struct{}, 1)
	cx := future.NewContext(future.WakeFunc(func() {
		select {
		case woken <- struct{}{}:
		default: // a wake is already pending: one is enough
		}
	}))
	var w Waiter
	for {
		err := c.PollSend(cx, &w, v)
		if !errors.Is(err, executor.ErrPending) {
			return err
		}
		<-woken
	}
}
