package future

// Waker tells a future's driver that the future is worth polling again.
// It is Rust's std::task::Waker.
//
// Wake must be safe to call from any goroutine, any number of times, also
// after the future finished or its driver returned (then it does nothing
// useful, and nothing harmful). Implementations are pointer types, so that ==
// tells whether two wakers are the same one (Rust's Waker::will_wake).
type Waker interface {
	Wake()
}

// WakeFunc returns a Waker that calls f. Each call to WakeFunc returns a new,
// distinct waker, even for the same f (func values cannot be compared in Go;
// the pointer it returns can).
func WakeFunc(f func()) Waker { return &funcWaker{f: f} }

type funcWaker struct{ f func() }

func (w *funcWaker) Wake() { w.f() }

// Noop returns a Waker that does nothing (Rust's Waker::noop). It is for
// drivers that poll in a loop anyway, such as benchmarks, never for code that
// sleeps until woken.
func Noop() Waker { return noop }

var noop = &noopWaker{}

type noopWaker struct{ _ byte } // non-zero size, so its address is unique

func (*noopWaker) Wake() {}
