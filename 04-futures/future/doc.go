// Package future is Rust's Future / Poll / Context / Waker model, in Go.
//
// A Future[T] is a value that can be asked, again and again, "are you done
// yet?". Each ask is a call to its Poll method, which returns a Poll[T]: either
// ready with a value, or pending. Nobody blocks inside Poll. A future that is
// not done returns pending at once, and before it does, it arranges for the
// Waker it was handed (through the Context) to be called when it is worth
// asking again. Whoever drives the future (an executor, or BlockOn) sleeps until
// a waker fires, then polls again.
//
// On top of that model the package offers what the rest of the course needs:
// a few combinators (Ready, PollFn, Map, Join, Select), a WakerSlot that stores
// the latest waker, and Async/Await (an async function written as a Go
// coroutine, built on iter.Pull). The package knows nothing of the operating
// system: the driver that sleeps until a waker fires is package driver
// (BlockOn, on stage 02's Poll and a stage 03 user event), and then stage
// 05's executor.
//
// # Contract
//
// Every Future in this course keeps the poll contract:
//
//  1. Poll never blocks. It makes as much progress as it can and returns.
//  2. Return pending only after arranging a wake-up: before returning
//     Pending, the future (or a future it polled, which returned pending to
//     it) has stored cx.Waker() where the event it waits for will find it.
//     A future that returns pending with no wake-up arranged is never polled
//     again: its task hangs forever, silently.
//  3. Store the latest waker on every pending poll. The waker may change
//     between polls (a future moved from one task to another, a Select that
//     polls it under a new context); a future that keeps the waker of its first
//     poll wakes the wrong task. Wakers are pointer types, so a future may
//     compare (old == new) to skip replacing an identical one.
//  4. Wakers may be called from any goroutine, any number of times, even
//     after the future finished. A wake is a hint: "poll again". A spurious
//     poll must be harmless; a missed one is a hang.
//  5. Once a future returned ready, it must not be polled again (the futures
//     in this package panic with a message naming the future).
//  6. Whoever abandons an unfinished future calls Drop(fut), so that a future
//     holding resources (a coroutine, a registration, a worker) releases them.
//
// # States
//
// A future's life, as its driver sees it:
//
//	          Poll -> Pending            Poll -> Ready(v)
//	created ------------------> waiting ------------------> done
//	   |        (waker stored)   |  ^                         (never polled again)
//	   |                         |  |  Wake() from any goroutine:
//	   |                         |  +  driver polls again
//	   |    Drop                 |  Drop
//	   +-------------------------+---------------> dropped (resources released)
//
// An Async future adds one more fact: between polls, its coroutine is parked
// inside Await, on the line that returned pending. Drop unwinds it from there
// (its deferred calls run), so no goroutine is left behind.
//
// # Simplifications
//
//   - Rust's Future::poll takes self: Pin<&mut Self>. Go needs no Pin: the
//     garbage collector keeps whatever a pointer points at alive, and the
//     runtime fixes up pointers into goroutine stacks when it moves them. The
//     chapter (docs/04-futures.md) says more.
//   - Rust's Waker is a vtable plus a data pointer (RawWaker); here it is a
//     Go interface, which is the same thing.
//   - Async coroutines are stackful (iter.Pull runs the body on its own
//     goroutine stack); Rust's async fn compiles to a stackless state machine.
//     The stage's benchmarks measure the difference.
package future
