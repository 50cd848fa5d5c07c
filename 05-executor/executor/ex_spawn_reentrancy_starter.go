//go:build ex_spawn_reentrancy

package executor

// enqueueSpawned hands a new task, already marked scheduled, to the loop.
//
// Exercise ex_spawn_reentrancy (docs/05-executor.md): this version "saves a
// trip through the queue" by polling a task spawned from inside another
// task at once, re-entering the executor in the middle of the parent's
// poll. Check with:
//
//	go test -tags ex_spawn_reentrancy -run 'TestSpawnInsideFirstPoll' ./05-executor/executor
func (ex *Executor) enqueueSpawned(t *task) {
	if ex.current != nil {
		ex.runTask(t) // TODO(ex_spawn_reentrancy): Spawn must only enqueue
		return
	}
	ex.remoteWake(t)
}
