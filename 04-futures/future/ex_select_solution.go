//go:build !ex_select && !ex_select_wrong_dropwinner && !ex_select_wrong_oneside

package future

// Poll polls a, then b. The first to be ready wins; the loser is dropped, so
// that whatever it holds is released now rather than never.
//
// Exercise ex_select (docs/04-futures.md). Check your work with:
//
//	go test -tags ex_select -run 'TestSelect' ./04-futures/future
func (s *selectFuture[A, B]) Poll(cx *Context) Poll[Either[A, B]] {
	if s.done {
		panic("future: Select polled after completion")
	}
	if r := s.a.Poll(cx); r.IsReady() {
		Drop(s.b) // the loser is abandoned unfinished: release it
		s.a, s.b, s.done = nil, nil, true
		return PollReady(Either[A, B]{Left: r.Value(), IsLeft: true})
	}
	if r := s.b.Poll(cx); r.IsReady() {
		Drop(s.a)
		s.a, s.b, s.done = nil, nil, true
		return PollReady(Either[A, B]{Right: r.Value()})
	}
	return Pending[Either[A, B]]() // both stored cx's waker
}
