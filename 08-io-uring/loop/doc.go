// Package loop runs stage 04's futures on io_uring: a single-threaded
// executor whose reactor is a completion ring instead of a readiness poller.
//
// In stage 05 a future asks the socket, gets "would block", and stores its
// waker under the descriptor's token; an epoll event wakes it, and it asks
// again. Here a future asks the kernel to do the whole operation: its first
// poll writes an SQE, and its waker is stored under the operation's
// user_data. The CQE that comes back carries the result, and wakes it; the
// next poll only picks the result up. Nothing is tried twice.
//
// # One turn of the loop
//
//	run the tasks that were woken (they queue SQEs)
//	io_uring_enter: submit every queued SQE, and sleep only if no task is ready
//	reap every CQE: store each result in its operation, wake its future
//
// One system call per turn, however many operations start and finish in it.
//
// # user_data
//
// An operation's user_data is its slot in the operation table (low 32 bits)
// and that slot's generation (high 32 bits), as stage 05's tokens are. A slot
// is reused as soon as its operation is finished; a CQE that names an old
// generation would wake a stranger, so it is counted and dropped.
//
// # Who owns a buffer
//
// A buffer handed to the kernel with an SQE belongs to the kernel until that
// SQE's CQE is reaped: the kernel may write into a recv's buffer, or read a
// send's, at any moment before. So a future dropped while its operation is in
// flight cannot simply forget it (as a readiness future can: nothing of its
// is in the kernel). Drop instead
//
//  1. submits IORING_OP_ASYNC_CANCEL for the operation, and
//  2. leaves the operation, and the buffer, to the loop, which releases the
//     buffer only when the operation's own CQE arrives, cancelled or not.
//
// A provided buffer (uring.BufRing) taken by a recv whose future was dropped
// goes back to the ring; a send's buffer goes back once the send is done.
// Run does not return before every operation's CQE has come back.
//
// # States of an operation
//
//	free --start--> queued (SQE written) --Enter--> in flight --CQE--> done --result taken--> free
//	                                                    |
//	                                             future dropped: cancel SQE
//	                                                    v
//	                                                orphaned --CQE--> buffer released, free
//
// # Task dump
//
// Tasks lists the unfinished tasks as stage 05's executor does (TaskInfo is
// its type); an idle task waits on the operations whose waker it is, read
// from the operation table: "recv fd 12, in flight 3s". Dump asks a running
// loop for the same from any goroutine (the program's SIGUSR1), waking it
// through the eventfd. A task carries its id, spawn site and last poll (a
// 64-byte allocation instead of 48), an operation its opcode, descriptor and
// start (in the 96 bytes it had); the clock is read once per sleep.
//
// # Simplifications
//
//   - NOTE: one goroutine, locked to its thread (runtime.LockOSThread) while
//     Run runs: io_uring finishes some requests in the context of the thread
//     that submitted them, and a goroutine that wandered to another thread
//     could wait forever for work its old thread never runs.
//   - Wakes from other goroutines go through a mutex and an eventfd whose read
//     is always in flight on the ring: the cross-thread wake is a completion
//     too.
//   - No task priorities, no work stealing, no cooperative budget beyond a
//     cap on tasks per turn.
//   - tokio-uring, monoio and glommio are the Rust runtimes built this way;
//     docs/08-io-uring.md compares their buffer APIs.
package loop
