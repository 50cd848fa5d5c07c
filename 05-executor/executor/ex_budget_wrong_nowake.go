//go:build ex_budget_wrong_nowake

package executor

import "github.com/async-from-scratch/course/04-futures/future"

// spend, wrong answer for ex_budget: at zero it says no, but does not wake
// the task. The caller returns pending without storing a waker, so nothing
// ever polls the task again.
func (ex *Executor) spend(cx *future.Context) bool {
	_ = cx
	if ex.current == nil {
		return true
	}
	if ex.budget > 0 {
		ex.budget--
		return true
	}
	ex.stats.Yields++
	return false
}
