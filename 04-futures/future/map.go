package future

// Map returns a future that polls f and, when f is ready with v, is ready with
// fn(v). Dropping it drops f if f is unfinished.
func Map[T, U any](f Future[T], fn func(T) U) Future[U] {
	return &mapFuture[T, U]{inner: f, fn: fn}
}

type mapFuture[T, U any] struct {
	inner Future[T] // nil once finished or dropped
	fn    func(T) U
}

func (m *mapFuture[T, U]) Poll(cx *Context) Poll[U] {
	if m.inner == nil {
		panic("future: Map polled after completion")
	}
	r := m.inner.Poll(cx)
	if !r.IsReady() {
		return Pending[U]() // inner stored cx's waker: its wake-up is ours
	}
	m.inner = nil
	return PollReady(m.fn(r.Value()))
}

func (m *mapFuture[T, U]) Drop() {
	if m.inner != nil {
		Drop(m.inner)
		m.inner = nil
	}
}
