//go:build ex_await_wrong_once

package future

// Await, wrong answer for ex_await: it suspends once while fut is pending,
// and takes whatever the next poll gives, as if every wake meant "ready".
func Await[T any](co *Co, fut Future[T]) T {
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
	if !co.yield(struct{}{}) {
		Drop(fut)
		panic(dropSignal{})
	}
	return fut.Poll(co.cx).Value()
}
