//go:build ex_spawn_reentrancy_wrong_runnow

package executor

// enqueueSpawned, wrong answer for ex_spawn_reentrancy: it polls the new
// task at once, wherever Spawn was called from.
func (ex *Executor) enqueueSpawned(t *task) {
	ex.runTask(t)
}
