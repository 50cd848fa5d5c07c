package future

// Future is a computation that finishes later. Poll makes as much progress as
// it can without blocking and returns ready with the result, or pending after
// arranging for cx.Waker() to be called when polling again is worthwhile.
// It is Rust's std::future::Future; see the package's Contract.
type Future[T any] interface {
	Poll(cx *Context) Poll[T]
}

// Dropper is implemented by futures that hold something that must be released
// if the future is abandoned before it finished: a coroutine (Async), a
// registration, a worker. Rust runs a future's destructor when it goes out of
// scope; Go has no destructors, so whoever abandons an unfinished future calls
// Drop.
type Dropper interface {
	Drop()
}

// Drop releases f if it implements Dropper, and does nothing otherwise. Call it
// on every future you abandon before it returned ready (Select calls it on the
// loser). Dropping a finished future, or dropping twice, is harmless for the
// futures in this package.
func Drop(f any) {
	if d, ok := f.(Dropper); ok {
		d.Drop()
	}
}
