package future

// Ready returns a future that is ready with v on its first poll (Rust's
// std::future::ready).
func Ready[T any](v T) Future[T] { return &readyFuture[T]{v: v} }

type readyFuture[T any] struct {
	v    T
	done bool // polled once already
}

func (f *readyFuture[T]) Poll(*Context) Poll[T] {
	if f.done {
		panic("future: Ready polled after completion")
	}
	f.done = true
	return PollReady(f.v)
}

// PollFn returns a future whose Poll calls f (Rust's std::future::poll_fn).
// f keeps the poll contract: pending only after storing cx.Waker() somewhere
// that will call it.
func PollFn[T any](f func(cx *Context) Poll[T]) Future[T] { return pollFn[T](f) }

type pollFn[T any] func(cx *Context) Poll[T]

func (f pollFn[T]) Poll(cx *Context) Poll[T] { return f(cx) }
