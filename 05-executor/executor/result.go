package executor

import (
	"fmt"
	"runtime/debug"

	"github.com/async-from-scratch/course/04-futures/future"
)

// Result is a value or an error: what JoinHandle, the I/O futures, Timeout
// and SpawnBlocking yield.
type Result[T any] struct {
	Value T
	Err   error
}

// Get returns the value and the error.
func (r Result[T]) Get() (T, error) { return r.Value, r.Err }

// PanicError is the error a JoinHandle (or BlockOn) yields when the task's
// future panicked. The panic was recovered on the loop goroutine; the other
// tasks went on.
type PanicError struct {
	Value any    // what the future panicked with
	Stack []byte // where (the coroutine's stack for a future.Async body)
}

func (e *PanicError) Error() string { return fmt.Sprintf("executor: task panicked: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error { err, _ := e.Value.(error); return err }

// panicError wraps a recovered value; a future.Async body's panic arrives as
// a *future.PanicError that already carries the body's stack.
func panicError(r any) *PanicError {
	if pe, ok := r.(*future.PanicError); ok {
		return &PanicError{Value: pe.Value, Stack: pe.Stack}
	}
	return &PanicError{Value: r, Stack: debug.Stack()}
}
