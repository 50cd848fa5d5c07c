package future

import (
	"fmt"
	"iter"
	"runtime/debug"
)

// Co is the handle an Async body uses to await other futures. It is valid only
// inside that body, on the goroutine iter.Pull runs it on.
type Co struct {
	cx      *Context            // the Context of the poll now running the body; nil between polls
	yield   func(struct{}) bool // suspends the body and hands Pending to the poller; false once dropped
	dropped bool                // set by Drop: the body is being unwound
}

// Async turns body into a future: Rust's async block, built on a Go coroutine.
// The first Poll starts body; each Await in body that finds its future pending
// suspends body right there, and Poll returns pending; the next Poll resumes
// body inside that Await, which polls the awaited future again. When body
// returns v, Poll returns ready with v.
//
// The coroutine is iter.Pull's: body runs on its own goroutine stack, but only
// while Poll runs, and never in parallel with the poller. This is the blog's
// GenFuture: a generator (iter.Pull) wrapped as a future.
//
// The returned future implements Dropper. Dropping it while body is suspended
// unwinds body from the Await it is parked in (its deferred calls run, the
// awaited future is dropped) and ends the coroutine: no goroutine is left
// behind. A future that is neither finished nor dropped keeps its coroutine's
// goroutine forever.
//
// If body panics, Poll panics on the poller's goroutine with a *PanicError
// that carries the panic value and the body's stack.
func Async[T any](body func(co *Co) T) Future[T] {
	return &asyncFuture[T]{body: body}
}

type asyncState uint8

const (
	asyncNew       asyncState = iota // not polled yet: no coroutine exists
	asyncSuspended                   // body parked in an Await (or never resumed)
	asyncDone                        // body returned (or panicked); coroutine gone
	asyncDropped                     // Drop ended it; coroutine gone
)

type asyncFuture[T any] struct {
	body     func(*Co) T
	co       Co
	state    asyncState
	next     func() (struct{}, bool) // resumes body until its next suspension; true = suspended
	stop     func()                  // ends the coroutine: the suspended yield returns false
	out      T                       // body's result
	panicked *PanicError             // set if body panicked
}

// Poll resumes the coroutine until body suspends in an Await (pending) or
// returns (ready).
func (f *asyncFuture[T]) Poll(cx *Context) Poll[T] {
	switch f.state {
	case asyncDone:
		panic("future: Async polled after completion")
	case asyncDropped:
		panic("future: Async polled after Drop")
	case asyncNew:
		// Create the coroutine lazily: iter.Pull makes a goroutine at once,
		// and one that is never resumed would leak if nobody dropped us.
		f.next, f.stop = iter.Pull(f.run)
		f.state = asyncSuspended
	}
	f.co.cx = cx
	_, suspended := f.next()
	f.co.cx = nil
	if suspended {
		// body is parked in Await, whose future returned pending after
		// storing cx.Waker(): that waker is our wake-up too.
		return Pending[T]()
	}
	f.state = asyncDone
	if f.panicked != nil {
		panic(f.panicked)
	}
	return PollReady(f.out)
}

// Drop ends an unfinished coroutine: Await's yield returns false, Await drops
// the future it was waiting for and unwinds body with a private panic that run
// recovers.
func (f *asyncFuture[T]) Drop() {
	switch f.state {
	case asyncNew:
		f.state = asyncDropped
	case asyncSuspended:
		f.state = asyncDropped
		f.co.dropped = true
		f.stop() // runs body's deferred calls, then returns once the coroutine ended
		if f.panicked != nil {
			panic(f.panicked) // a deferred call in body panicked while unwinding
		}
	}
}

// run is the iterator function handed to iter.Pull: body, plus the panic
// handling around it. It yields once per suspension and returns when body does.
func (f *asyncFuture[T]) run(yield func(struct{}) bool) {
	f.co.yield = yield
	finished := false
	defer func() {
		if finished {
			return
		}
		switch r := recover().(type) {
		case nil:
			// runtime.Goexit (t.FailNow in body): iter.Pull passes it on
			// to the poller's goroutine.
		case dropSignal:
			// Drop unwound body from its Await: a normal end.
		case *PanicError:
			f.panicked = r // a nested Async panicked: keep its stack
		default:
			f.panicked = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	f.out = f.body(&f.co)
	finished = true
}

// dropSignal is the panic value that unwinds a dropped body from Await. A body
// that recovers panics must re-panic values it does not recognise.
type dropSignal struct{}

// PanicError is what Poll panics with when an Async body panicked. The body
// ran on the coroutine's own stack, which is gone by the time the poller
// panics, so the error keeps it.
type PanicError struct {
	Value any    // the value body panicked with
	Stack []byte // the body's stack at the panic (runtime/debug.Stack)
}

// Error returns the panic value and the body's stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("future: Async body panicked: %v\n\nbody's goroutine stack:\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
