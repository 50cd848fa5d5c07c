// Package channel is a bounded channel between tasks, built from wakers: what
// a Go channel is to goroutines, Chan is to the futures of stage 05's
// executor.
//
//	ch := channel.New[string](16)
//	err := future.Await(co, ch.Send("hi"))        // waits while the buffer is full
//	v, err := future.Await(co, ch.Recv()).Get()   // waits while it is empty
//
// TrySend and TryRecv never wait; SendWait blocks a plain goroutine (a worker
// sending into the loop); Close lets receivers drain what is queued, then
// tells them ErrClosed, and refuses senders at once. Every method is safe from
// any goroutine: one mutex guards the buffer and both waiter queues, and
// wakers are called after it is released.
//
// # The waiter lists
//
// A task that cannot go on leaves a Waiter in one of two queues: recvq (the
// buffer was empty) or sendq (the buffer was full). A Waiter is a node of an
// intrusive list, stored inside the future (or the hand-written state machine)
// that waits, so waiting allocates nothing. It holds only the waker of its
// latest pending poll.
//
//	           +-------- buf (ring, cap slots) --------+
//	Send ----> | m3 | m4 | m5 |    |    |    |    |    | ----> Recv
//	           +---------------------------------------+
//	sendq: (empty while there is room)       recvq: (empty while buf has data)
//
// A Send that finds the buffer full, or finds others already queued (FIFO:
// no barging), queues itself. When a receiver frees a slot, the head sender is
// granted it: the slot is reserved for it, it leaves the queue, and it is
// woken; its next poll fills the reserved slot. A Send pushes and wakes the
// head receiver, which leaves the queue holding that wake.
//
// # States of a Waiter
//
//	idle --pending poll--> queued --notified (a slot or a value)--> woken
//	 ^                       |  ^        |                           |
//	 |   Forget: unlinked    |  +--------+ poll again, new waker     | next poll: uses it
//	 +-----------------------+                                       v
//	 +------------------------------------------------------------ idle
//	woken --Forget--> the wake passes to the next waiter (a sender's reserved
//	                  slot goes to the next sender, or back to the buffer)
//
// Forget is what a dropped Recv or Send future calls. Without the unlink a
// later Send would wake a future nobody polls again; without the pass-on, a
// message would sit in the buffer while the next receiver sleeps. Either way
// a wakeup is lost: the exercise ex_forget is exactly this function.
//
// # Cancellation safety
//
// Recv is cancel-safe: a value is only taken out of the buffer by the poll
// that returns it, so a Recv dropped at any point loses nothing. Send is
// cancel-safe too in the sense that matters: a dropped Send sent nothing (the
// caller still has the value) but loses its place in the queue.
//
// # Simplifications
//
//   - NOTE: capacity is at least 1. A rendezvous channel (Go's unbuffered
//     chan, capacity 0) hands the value from sender to receiver directly;
//     runtime/chan.go does it by copying into the waiting sudog.
//   - NOTE: fairness is FIFO among senders (reserved slots). A receiver woken
//     for a value that a TryRecv took first simply waits again.
//   - NOTE: one mutex, as in runtime/chan.go's hchan.lock. Lock-free queues
//     (tokio's mpsc block list) scale better across cores; this executor has
//     one.
package channel
