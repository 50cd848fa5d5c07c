package future

import "fmt"

// Either holds the result of Select: the value of whichever future finished
// first.
type Either[A, B any] struct {
	Left   A    // the first future's value, if it won
	Right  B    // the second future's value, if it won
	IsLeft bool // true if the first future won
}

// String returns "Left(v)" or "Right(v)".
func (e Either[A, B]) String() string {
	if e.IsLeft {
		return fmt.Sprintf("Left(%v)", e.Left)
	}
	return fmt.Sprintf("Right(%v)", e.Right)
}

// Select returns a future that polls a, then b, and is ready with the value of
// the first one to finish (a wins a tie: it is polled first). The other one,
// the loser, is Dropped at once: it is abandoned unfinished, so whatever it
// holds (a coroutine, a registration) must be released now. Dropping the
// Select drops both.
func Select[A, B any](a Future[A], b Future[B]) Future[Either[A, B]] {
	return &selectFuture[A, B]{a: a, b: b}
}

type selectFuture[A, B any] struct {
	a    Future[A] // nil once the select finished or was dropped
	b    Future[B] // nil once the select finished or was dropped
	done bool      // true once it returned ready
}

func (s *selectFuture[A, B]) Drop() {
	if s.a != nil {
		Drop(s.a)
		s.a = nil
	}
	if s.b != nil {
		Drop(s.b)
		s.b = nil
	}
}
