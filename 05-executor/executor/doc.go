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
// Abort moves a scheduled or idle task to done at once (a queued copy is
// skipped). During a poll (running or notified) it only marks the task, which
// is aborted when the poll returns, unless that poll finished it. When BlockOn
// returns, every task not yet done is dropped: done, without another poll.
// A Wake for a done task does nothing, and a task woken many times while
// scheduled or notified is polled once.
//
// # Tokens
//
// A poll.Token is a slot index (low 32 bits) and that slot's generation (high
// 32 bits). Closing a Stream frees its slot and bumps the generation, so an
// event still in flight for the old descriptor, whose number the kernel may
// already have given to a new connection, is recognised as stale and dropped.
//
// # Seeing the loop
//
// Tasks and Dump list the unfinished tasks with their state, spawn site,
// last poll and what each idle one waits on; DumpOnSignal prints that for
// every executor on SIGUSR1. Options.DetectLostWakers reports a task that
// returned pending with no waker of it stored anywhere (detector.go).
// docs/stuck-task.md uses both.
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
