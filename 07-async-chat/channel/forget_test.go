package channel

// go test -run TestForget -v ./07-async-chat/channel

import (
	"errors"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// A dropped receiver must leave the queue: the next send wakes the one
// still waiting, not the one nobody will poll again.
func TestForgetUnlinksADroppedReceiver(t *testing.T) {
	ch := New[int](1)
	cx1, w1 := newCx()
	cx2, w2 := newCx()
	var r1, r2 Waiter
	_, err := ch.PollRecv(cx1, &r1)
	pending(t, "first receiver", err)
	_, err = ch.PollRecv(cx2, &r2)
	pending(t, "second receiver", err)
	ch.Forget(&r1) // the first receiver's future is dropped (a Timeout, a Select)
	ch.TrySend(7)
	if w1.wakes() != 0 || w2.wakes() != 1 {
		t.Fatalf("after a dropped receiver, one send woke the dropped one %d times and the waiting one %d times; want 0 and 1: the dropped waiter was left in the queue and took the wakeup (lost wakeup)", w1.wakes(), w2.wakes())
	}
	if v, err := ch.PollRecv(cx2, &r2); v != 7 || err != nil {
		t.Errorf("second receiver = %d, %v, want 7, nil", v, err)
	}
}

// A receiver woken for a value and dropped before it polled again holds a
// wake nobody uses: it must pass to the next receiver, or the value sits in
// the buffer while that receiver sleeps.
func TestForgetPassesTheWakeOn(t *testing.T) {
	ch := New[int](1)
	cx1, w1 := newCx()
	cx2, w2 := newCx()
	var r1, r2 Waiter
	ch.PollRecv(cx1, &r1)
	ch.PollRecv(cx2, &r2)
	ch.TrySend(7) // wakes the head: r1
	if w1.wakes() != 1 || w2.wakes() != 0 {
		t.Fatalf("one send woke %d and %d, want the head receiver only", w1.wakes(), w2.wakes())
	}
	ch.Forget(&r1) // dropped before it used the wake
	if w2.wakes() != 1 {
		t.Fatalf("a receiver woken for a value was dropped, and the next receiver was woken %d times, want 1: the wake was not passed on (lost wakeup; the value sits in the buffer)", w2.wakes())
	}
	if v, err := ch.PollRecv(cx2, &r2); v != 7 || err != nil {
		t.Errorf("second receiver = %d, %v, want 7, nil", v, err)
	}
}

// A sender granted a slot and dropped passes the slot to the next sender,
// or gives it back to the buffer.
func TestForgetPassesAReservedSlotOn(t *testing.T) {
	ch := New[int](1)
	ch.TrySend(0)
	cx1, w1 := newCx()
	cx2, w2 := newCx()
	var s1, s2 Waiter
	pending(t, "first sender", ch.PollSend(cx1, &s1, 1))
	pending(t, "second sender", ch.PollSend(cx2, &s2, 2))
	ch.TryRecv() // the slot goes to s1
	if w1.wakes() != 1 {
		t.Fatalf("the head sender was woken %d times when a slot freed, want 1", w1.wakes())
	}
	ch.Forget(&s1)
	if w2.wakes() != 1 {
		t.Fatalf("a sender holding a reserved slot was dropped, and the next sender was woken %d times, want 1: the slot was not passed on (lost wakeup)", w2.wakes())
	}
	if err := ch.PollSend(cx2, &s2, 2); err != nil {
		t.Fatalf("second sender = %v, want nil", err)
	}
	// With no sender left, a dropped slot goes back to the buffer.
	ch.TryRecv()
	ch.TrySend(3)
	var s3 Waiter
	pending(t, "third sender", ch.PollSend(cx1, &s3, 4))
	ch.TryRecv()
	ch.Forget(&s3)
	if err := ch.TrySend(5); err != nil {
		t.Errorf("TrySend after the only granted sender was dropped = %v, want nil: the reserved slot leaked", err)
	}
}

// The same through the executor, the way it happens in real code: receivers
// wait with a Timeout, which drops their Recv when it fires. Sends come at
// random moments; every value must still arrive exactly once, and in time.
func TestForgetUnderTimeouts(t *testing.T) {
	const receivers, values = 8, 300
	ex, err := executor.New(executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch := New[int](1)
	seen := make([]int, values)
	received := 0
	var done executor.Notify
	for range receivers {
		executor.SpawnDetached(ex, future.Async(func(co *future.Co) struct{} {
			for !done.Notified() {
				r := future.Await(co, executor.Timeout(ex, 200*time.Microsecond, ch.Recv()))
				if errors.Is(r.Err, executor.ErrTimeout) {
					continue // the Recv was dropped halfway; try again
				}
				v, err := r.Value.Get()
				if err != nil {
					return struct{}{}
				}
				seen[v]++
				if received++; received == values {
					done.Notify()
				}
			}
			return struct{}{}
		}))
	}
	executor.SpawnDetached(ex, future.Async(func(co *future.Co) struct{} {
		for i := range values {
			future.Await(co, ch.Send(i))
			if i%3 == 0 {
				future.Await(co, ex.Sleep(time.Duration(i%5)*100*time.Microsecond))
			}
		}
		return struct{}{}
	}))
	// The root waits for the last value, with its own watchdog: a lost
	// wakeup shows as values stuck in the channel.
	r := blockOnEx(t, ex, executor.Timeout(ex, 15*time.Second, future.Future[struct{}](&done)))
	if r.Err != nil {
		t.Fatalf("after 15 s, %d of %d values received and %d still queued: a wakeup was lost when a Recv was dropped", received, values, ch.Len())
	}
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("value %d received %d times, want once", v, n)
		}
	}
}
