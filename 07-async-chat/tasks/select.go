package tasks

import (
	"slices"

	"github.com/async-from-scratch/course/04-futures/future"
)

// Selected is the result of Select: which future won, and its value.
type Selected[T any] struct {
	Index int // the winner's position in Select's arguments
	Value T
}

// Select returns a future that polls futs in order and is ready with the
// first one to finish (the lowest index wins a tie). The losers are
// dropped at once, so whatever they were in the middle of is abandoned:
// select only over cancel-safe futures, or over futures whose loss you
// accept. Dropping the Select drops all of them. It is stage 04's 2-way
// future.Select for any number of futures of one type.
func Select[T any](futs ...future.Future[T]) future.Future[Selected[T]] {
	if len(futs) == 0 {
		panic("tasks: Select of no futures would never finish")
	}
	// A copy: the Select clears its own slice as futures finish or drop.
	return &selectN[T]{futs: slices.Clone(futs)}
}

type selectN[T any] struct {
	futs []future.Future[T] // nil once finished or dropped
}

func (s *selectN[T]) Poll(cx *future.Context) future.Poll[Selected[T]] {
	if s.futs == nil {
		panic("tasks: Select polled after completion")
	}
	for i, f := range s.futs {
		// Every pending future stores cx's waker: whichever is ready
		// first wakes the task.
		if p := f.Poll(cx); p.IsReady() {
			s.futs[i] = nil // the winner finished: nothing to drop
			s.Drop()
			return future.PollReady(Selected[T]{Index: i, Value: p.Value()})
		}
	}
	return future.Pending[Selected[T]]()
}

// Drop drops every future that has not finished.
func (s *selectN[T]) Drop() {
	for _, f := range s.futs {
		if f != nil {
			future.Drop(f)
		}
	}
	s.futs = nil
}
