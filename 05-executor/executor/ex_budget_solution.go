//go:build !ex_budget && !ex_budget_wrong_keepgoing && !ex_budget_wrong_nowake

package executor

import "github.com/async-from-scratch/course/04-futures/future"

// spend takes one unit of the running task's I/O budget. When the budget
// is used up it wakes the task (which goes to the back of the run queue)
// and returns false: the caller returns ErrPending without doing the
// operation. This is tokio's cooperative budget, and the reason one chatty
// connection cannot starve a quiet one: under edge triggering a reader
// keeps reading until would-block, which may be never.
func (ex *Executor) spend(cx *future.Context) bool {
	if ex.current == nil {
		return true // not inside one of our tasks: no budget
	}
	if ex.budget > 0 {
		ex.budget--
		return true
	}
	ex.stats.Yields++
	ex.wake(cx.Waker())
	return false
}
