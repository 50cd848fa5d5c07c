//go:build !ex_await && !ex_await_wrong_nodrop && !ex_await_wrong_once

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
	for {
		if co.dropped {
			Drop(fut)
			panic(dropSignal{})
		}
		if co.cx == nil {
			panic("future: Await called outside a poll of its own Async body")
		}
		r := fut.Poll(co.cx)
		if r.IsReady() {
			return r.Value()
		}
		// fut is pending and stored co.cx's waker. Suspend the body: the
		// Async future's Poll returns pending. We come back here on its next
		// Poll (with a new co.cx), or see false if it was dropped instead.
		if !co.yield(struct{}{}) {
			Drop(fut)
			panic(dropSignal{})
		}
	}
}
