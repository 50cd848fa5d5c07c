//go:build ex_await

package future

// Await waits, inside an Async body, for fut to be ready and returns its value:
// Rust's .await. It polls fut with the Context of the poll now running the
// body. While fut is pending, Await suspends the body (the coroutine yields)
// so that the Async future's Poll returns pending; when the Async future is
// polled again, the coroutine resumes here and Await polls fut again.
//
// If the Async future is dropped while suspended here, Await drops fut and
// unwinds the body (deferred calls run); the body never continues past it.
//
// Exercise ex_await (docs/04-futures.md). Check your work with:
//
//	go test -tags ex_await -run 'TestAwait|TestAsync' ./04-futures/future
func Await[T any](co *Co, fut Future[T]) T {
	if co.dropped {
		Drop(fut)
		panic(dropSignal{})
	}
	if co.cx == nil {
		panic("future: Await called outside a poll of its own Async body")
	}
	r := fut.Poll(co.cx)
	// A pending fut has no value yet: suspend the body with co.yield and poll
	// again when resumed; if yield reports false (the Async future was
	// dropped), Drop(fut) and panic(dropSignal{}) to unwind the body.
	return r.Value() // TODO(ex_await): this returns the zero value when fut is pending.
}
