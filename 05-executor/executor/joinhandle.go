package executor

import "github.com/async-from-scratch/course/04-futures/future"

// JoinHandle is a spawned task and the future of its result: it yields
// Result{Value: v} when the task's future returns v, or Result{Err: e} with
// a *PanicError if it panicked, ErrAborted if Abort dropped it, or ErrClosed
// if the executor closed first. Poll it from a task of the same executor.
type JoinHandle[T any] struct {
	task    task             // the loop's part; a named field, so its Wake is not part of the handle's API
	fut     future.Future[T] // nil once finished
	res     Result[T]
	done    bool
	aborted bool         // Abort called while running
	waiter  future.Waker // the latest pending poll of the handle
}

// Spawn hands fut to ex as a new task and returns its handle. It only
// enqueues: fut is first polled by the loop, after the task that called
// Spawn (if any) returned from its poll. Safe from any goroutine, also
// before BlockOn. On a closed executor the handle is ready at once with
// ErrClosed.
func Spawn[T any](ex *Executor, fut future.Future[T]) *JoinHandle[T] {
	h := &JoinHandle[T]{fut: fut}
	h.task.r = h
	if !ex.start(&h.task) {
		h.fut, h.done, h.res.Err = nil, true, ErrClosed
		future.Drop(fut)
	}
	return h
}

// poll polls the task's future once, turning a panic into the task's
// result.
func (h *JoinHandle[T]) poll() (done bool) {
	defer func() {
		if r := recover(); r != nil {
			pe := h.task.panicked(r)
			h.task.drop(h.fut) // as tokio does: what the future owns is closed now, not at BlockOn's end
			h.complete(Result[T]{Err: pe})
			done = true
		}
	}()
	p := h.fut.Poll(&h.task.cx)
	if !p.IsReady() {
		return false
	}
	h.complete(Result[T]{Value: p.Value()})
	return true
}

// complete records the result, marks the task done and wakes whoever awaits
// the handle.
func (h *JoinHandle[T]) complete(res Result[T]) {
	ex := h.task.ex
	h.res, h.done, h.fut = res, true, nil
	h.task.done()
	if w := h.waiter; w != nil {
		h.waiter = nil
		ex.wake(w)
	}
}

func (h *JoinHandle[T]) wantsAbort() bool { return h.aborted }

// abort drops the future (its Drop may run user code: a panic there is
// logged, not propagated) and finishes the task with err.
func (h *JoinHandle[T]) abort(err error) {
	if h.done {
		return
	}
	fut := h.fut
	h.fut = nil
	h.task.drop(fut)
	h.complete(Result[T]{Err: err})
}

// Poll implements future.Future[Result[T]].
func (h *JoinHandle[T]) Poll(cx *future.Context) future.Poll[Result[T]] {
	if h.done {
		return future.PollReady(h.res)
	}
	h.waiter = cx.Waker() // the latest poller, replaced on every pending poll
	return future.Pending[Result[T]]()
}

// Abort drops the task's future and makes the handle yield ErrAborted. It
// does nothing if the task already finished. Called from the task itself,
// the abort happens when its poll returns. Call it on the loop goroutine.
func (h *JoinHandle[T]) Abort() {
	for {
		switch s := h.task.state.Load(); s {
		case stateDone:
			return
		case stateRunning, stateNotified:
			h.aborted = true // runTask aborts it when the poll returns
			return
		default: // idle or scheduled; a Wake from another goroutine may race with us
			if h.task.state.CompareAndSwap(s, stateDone) { // a queued copy is skipped by runTask
				h.abort(ErrAborted)
				return
			}
		}
	}
}

// Drop detaches the handle: the task keeps running, nobody is woken when it
// ends. It never aborts the task (tokio's JoinHandle behaves the same).
func (h *JoinHandle[T]) Drop() { h.waiter = nil }

// ID returns the task's id, as printed in debug logs.
func (h *JoinHandle[T]) ID() uint64 { return h.task.id }
