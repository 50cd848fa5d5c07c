//go:build ex_budget_wrong_keepgoing

package executor

import "github.com/async-from-scratch/course/04-futures/future"

// spend, wrong answer for ex_budget: at zero it wakes the task, so it will
// run again, but lets this operation (and every later one) go on: the task
// never returns to the loop.
func (ex *Executor) spend(cx *future.Context) bool {
	if ex.current == nil {
		return true
	}
	if ex.budget > 0 {
		ex.budget--
		return true
	}
	ex.stats.Yields++
	ex.wake(cx.Waker())
	return true
}
