//go:build !ex_spawn_reentrancy && !ex_spawn_reentrancy_wrong_runnow && !ex_spawn_reentrancy_wrong_wake

package executor

// enqueueSpawned hands a new task, already marked scheduled, to the loop.
// It only enqueues: the task is first polled by the loop, after whatever
// called Spawn returned. Polling it right here would run the new future
// inside the poll of the task that spawned it, re-entering the executor
// (ex.current, the budget, the blog's borrowed task table) in the middle
// of that task's work.
func (ex *Executor) enqueueSpawned(t *task) {
	ex.remoteWake(t)
}
