package future

// Context is what a driver hands to Future.Poll: for now, only the Waker to
// call when the future is worth polling again. It is Rust's
// std::task::Context.
type Context struct {
	waker Waker // never nil
}

// NewContext returns a Context carrying w. It panics if w is nil: a future
// that returns pending must have someone to wake.
func NewContext(w Waker) *Context {
	if w == nil {
		panic("future: NewContext with a nil Waker")
	}
	return &Context{waker: w}
}

// Waker returns the waker of this poll. A future that returns pending stores
// it (the latest one, on every pending poll: see WakerSlot).
func (cx *Context) Waker() Waker { return cx.waker }
