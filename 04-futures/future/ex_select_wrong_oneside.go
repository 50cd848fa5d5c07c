//go:build ex_select_wrong_oneside

package future

// Poll, wrong answer for ex_select: it drops b when a wins, and forgets a
// when b wins.
func (s *selectFuture[A, B]) Poll(cx *Context) Poll[Either[A, B]] {
	if s.done {
		panic("future: Select polled after completion")
	}
	if r := s.a.Poll(cx); r.IsReady() {
		Drop(s.b)
		s.a, s.b, s.done = nil, nil, true
		return PollReady(Either[A, B]{Left: r.Value(), IsLeft: true})
	}
	if r := s.b.Poll(cx); r.IsReady() {
		s.a, s.b, s.done = nil, nil, true
		return PollReady(Either[A, B]{Right: r.Value()})
	}
	return Pending[Either[A, B]]()
}
