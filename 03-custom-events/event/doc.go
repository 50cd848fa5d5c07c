// Package event is readiness that user code triggers: mio's Registration and
// SetReadiness pair, built on stage 02's poll.
//
// New returns two halves of one user event. The Registration is registered in
// a poll.Poll next to sockets and is owned by the goroutine that polls; the
// SetReadiness goes to any number of other goroutines (I/O workers, signal
// handlers, a future's waker), which call Set to make the Registration ready.
// The polling goroutine then sees an ordinary poll.Event with the
// Registration's token and Readable set, exactly as if a socket had data.
//
// This is how a goroutine that is not the event loop wakes the event loop:
// the worker finishes its blocking work, puts the result where the loop will
// look (a queue), and calls Set; the loop, asleep in epoll_wait or kevent,
// wakes up, calls Clear, and drains the queue.
//
//	p, _ := poll.New()
//	reg, set, _ := event.New()
//	reg.Register(p, wakeToken, poll.Level)
//	go func() { queue.Push(result); set.Set() }() // any goroutine
//	p.Poll(events, poll.Forever)                  // wakes with wakeToken
//	reg.Clear()                                   // then re-check the queue
//
// # Contract
//
// Each backend file provides the same unexported methods on *shared:
//
//	open() error                                   create the kernel object
//	wake() error                                   the one syscall of Set
//	consume() error                                the kernel half of Clear
//	register(p, tok, mode) / reregister / deregister
//	release() error                                deregister and free (Close)
//
// event_linux.go uses an eventfd(2): a kernel 64-bit counter that is readable
// while it is not zero. Set writes 1 to it, Clear reads (and so zeroes) it,
// and it is registered through poll's public Register like any other
// descriptor. event_pipe.go (macOS, FreeBSD) uses a pipe the same way: Set
// writes a byte, Clear reads the pipe empty, and its read end is registered.
// (That file says why not kqueue's EVFILT_USER.)
//
// # States
//
// A user event's readiness is one flag, pending, plus the kernel object's
// state (the eventfd counter, or the byte in the pipe):
//
//	idle:     pending == false, kernel not ready.
//	          Set: CAS pending false->true succeeds, one syscall -> ready.
//	ready:    pending == true, kernel ready: Poll reports the token
//	          (Level: on every Poll; Edge: once; Oneshot: once, then the
//	          registration is disarmed until Reregister).
//	          Set: CAS fails, no syscall (coalesced: this is what makes
//	          thousands of Sets cost a handful of wakeups).
//	          Clear: (1) consume the kernel readiness, (2) pending = false
//	          -> idle. The caller then re-checks its own state (its queue).
//	closed:   after Close. Set and Clear return ErrClosed and never touch
//	          the kernel object again (its descriptor number may already
//	          belong to someone else).
//
// The order inside Clear matters. Consuming first and reopening the gate
// second means a Set racing with Clear either lands before step (2), sees
// pending == true and does nothing (its readiness is absorbed by this Clear,
// and the caller's re-check after Clear finds its work), or lands after step
// (2) and makes a fresh syscall (a new event). The other order loses
// wakeups for good: a Set between "pending = false" and "consume" writes,
// the consume eats the write, and pending is left true with the kernel idle,
// so every later Set coalesces into a wakeup that never comes. Exercise
// ex_lostwakeup is exactly that bug.
//
// # Simplifications
//
//   - NOTE: one Registration belongs to one Poll at a time, and Register,
//     Reregister, Deregister, Clear and Close are meant for the polling
//     goroutine. They are safe against concurrent Set and Close, but two
//     goroutines clearing the same event make no sense.
//   - Readiness is just "readable". mio 0.6's SetReadiness carried a whole
//     Ready set (readable, writable, custom bits) kept in an atomic word; we
//     keep one bit because a wakeup is all the later stages need.
//   - One kernel object per Registration. Go's runtime has exactly one wakeup
//     object per poller (netpollBreak's eventfd in runtime/netpoll_epoll.go,
//     the EVFILT_USER ident in runtime/netpoll_kqueue_event.go) and finds
//     out what to run from its own queues; stage 05's executor does the same
//     with one Registration for all its tasks.
//   - NOTE: a Registration that is dropped without Close leaks its eventfd
//     (or pipe); there is no finalizer (os.File has one, internal/poll's FD
//     does not need it because os.File owns it).
//   - An event that a Poll already copied into an Events buffer before Close
//     cannot be taken back; "no event after Close" means no Poll that starts
//     after Close returns reports this token.
package event
