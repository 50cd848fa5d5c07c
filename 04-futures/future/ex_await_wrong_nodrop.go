//go:build ex_await_wrong_nodrop

package future

// Await, wrong answer for ex_await: it polls until ready, suspending in
// between, but when the Async future is dropped it unwinds the body without
// dropping fut, which keeps whatever it holds.
func Await[T any](co *Co, fut Future[T]) T {
	for {
		if co.dropped {
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
			panic(dropSignal{})
		}
	}
}
