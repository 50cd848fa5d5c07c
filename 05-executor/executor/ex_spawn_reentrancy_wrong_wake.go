//go:build ex_spawn_reentrancy_wrong_wake

package executor

// enqueueSpawned, wrong answer for ex_spawn_reentrancy: "wake the new task
// so the loop polls it". The task is already marked scheduled, so wake
// takes it for queued and does nothing: it is never polled.
func (ex *Executor) enqueueSpawned(t *task) {
	ex.wake(t)
}
