// Package executor runs futures: a single-threaded event loop with BlockOn,
// Spawn and JoinHandle, a reactor that turns poll events into wakes, TCP
// futures, timers, and a bounded pool of worker goroutines for blocking work.
//
// It is the blog's executor rebuilt with care: every waker is replaced on
// every pending poll, nothing is held while a task runs (so a task may spawn),
// a panicking task reports through its JoinHandle instead of ending the loop,
// reads and writes loop over partial results, and BlockOn returns with every
// descriptor it opened closed.
//
// # Finding the executor
//
// Explicitly: New returns an *Executor, and Spawn, BlockOn, Listen, Connect,
// NewTimer, Sleep, Timeout, ReadFile and SpawnBlocking take it. Listeners and
// Streams remember the executor that made them. There are no globals and no
// goroutine-locals (Go has none). Current recovers the executor from a task's
// *future.Context, because the waker of every task is the task itself.
//
// # Three parts
//
//	executor  the task table and ready queue: runs tasks (executor.go, task.go, wake.go,
//	          joinhandle.go, detached.go, runqueue.go)
//	reactor   the poll.Poll, the token table, timers: turns events into wakes (reactor.go, timer.go)
//	OS        epoll or kqueue, sockets, the eventfd that wakes the loop
//
// # States of a task
//
//	Spawn --> scheduled --(loop pops it)--> running --(ready, or panicked)--> done
//	             ^  ^                       |     |                        (Wake ignored)
//	             |  |      (pending, no wake) |     | (Wake during the poll)
//	             |  +--Wake-- idle <----------+     v
//	             +------(the poll returned)------ notified
//
// A task woken many times while scheduled or notified is polled once. A Wake
// for a done task does nothing.
//
// # Tokens
//
// A poll.Token is a slot index (low 32 bits) and that slot's generation (high
// 32 bits). Closing a Stream frees its slot and bumps the generation, so an
// event still in flight for the old descriptor, whose number the kernel may
// already have given to a new connection, is recognised as stale and dropped.
//
// # Simplifications
//
//   - One goroutine runs all tasks. Go's runtime runs goroutines on every
//     processor and steals work between them (runtime/proc.go, findRunnable);
//     this executor does not, which keeps every Poll on one goroutine and makes
//     the order of tasks deterministic.
//   - Timers are a binary heap (container/heap). The runtime keeps a heap per
//     P (runtime/time.go); tokio uses a hierarchical wheel.
//   - Shutdown and Close never block on a non-blocking socket, so they are
//     plain methods, not futures.
//   - Blocking work that is already running cannot be interrupted: BlockOn
//     waits for it before it returns.
package executor
