package future

import "fmt"

// Pair holds the results of Join.
type Pair[A, B any] struct {
	First  A
	Second B
}

// String returns "(first, second)".
func (pr Pair[A, B]) String() string { return fmt.Sprintf("(%v, %v)", pr.First, pr.Second) }

// Join returns a future that polls a and b until both are ready, and is then
// ready with both results (futures::join). Each poll polls every unfinished
// side, so both store the current waker, and whichever wakes first gets the
// pair polled again. Dropping it drops the unfinished sides.
func Join[A, B any](a Future[A], b Future[B]) Future[Pair[A, B]] {
	return &joinFuture[A, B]{a: a, b: b}
}

type joinFuture[A, B any] struct {
	a      Future[A] // nil once a finished (its value is in out.First)
	b      Future[B] // nil once b finished
	out    Pair[A, B]
	polled bool // true once it returned ready
}

func (j *joinFuture[A, B]) Poll(cx *Context) Poll[Pair[A, B]] {
	if j.polled {
		panic("future: Join polled after completion")
	}
	if j.a != nil {
		if r := j.a.Poll(cx); r.IsReady() {
			j.out.First, j.a = r.Value(), nil
		}
	}
	if j.b != nil {
		if r := j.b.Poll(cx); r.IsReady() {
			j.out.Second, j.b = r.Value(), nil
		}
	}
	if j.a != nil || j.b != nil {
		return Pending[Pair[A, B]]() // each unfinished side stored cx's waker
	}
	j.polled = true
	return PollReady(j.out)
}

func (j *joinFuture[A, B]) Drop() {
	if j.a != nil {
		Drop(j.a)
		j.a = nil
	}
	if j.b != nil {
		Drop(j.b)
		j.b = nil
	}
}
