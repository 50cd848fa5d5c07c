// Package driver is the smallest honest driver of a future: BlockOn polls
// one future on the calling goroutine and, while it is pending, sleeps in
// stage 02's poll.Poll on a stage 03 user event that the future's waker sets.
//
// It is a package of its own so that package future stays what it is, the
// Future / Poll / Context / Waker model with no operating system in it. Stage
// 05's executor is the full driver: many tasks on one goroutine, its own
// executor.BlockOn(ex, fut).
//
// # Simplifications
//
//   - One future per BlockOn: no Spawn, no task table, no ready queue.
//   - A poller and a user event per call, created and closed by BlockOn.
//     Real runtimes keep one per thread for the life of the program.
package driver
