package future

import "fmt"

// Poll is the result of polling a future: ready with a value, or pending.
// It is Rust's std::task::Poll<T>. The zero value is pending.
type Poll[T any] struct {
	ready bool // true once the future finished
	value T    // the result; meaningful only when ready
}

// PollReady returns a ready Poll holding v.
func PollReady[T any](v T) Poll[T] { return Poll[T]{ready: true, value: v} }

// Pending returns a pending Poll. Return it only after arranging a wake-up
// (see the package's Contract).
func Pending[T any]() Poll[T] { return Poll[T]{} }

// IsReady reports whether the future finished.
func (p Poll[T]) IsReady() bool { return p.ready }

// Value returns the result of a ready Poll, or the zero value of T if p is
// pending.
func (p Poll[T]) Value() T { return p.value }

// String returns "Ready(v)" or "Pending".
func (p Poll[T]) String() string {
	if !p.ready {
		return "Pending"
	}
	return fmt.Sprintf("Ready(%v)", p.value)
}
