package executor

import (
	"container/heap"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
)

// Timer is a one-shot timer of an executor, and a future that is ready once
// the timer fired. It is reusable (Reset) and cheap to move later, so one
// Timer per connection can carry an idle timeout. Loop goroutine only.
//
// # States
//
//	armed (in the heap) --deadline passed, loop fires it--> fired (waker woken)
//	armed --Stop--> stopped (never fires)
//	any --Reset(d)--> armed
type Timer struct {
	ex    *Executor
	when  int64 // deadline, ns on the loop's clock
	key   int64 // the deadline the heap is ordered by: key <= when
	index int   // position in the heap, -1 when not in it
	fired bool
	waker future.Waker // the latest pending poll
}

// NewTimer returns a timer that fires after d (at once if d <= 0).
func (ex *Executor) NewTimer(d time.Duration) *Timer {
	t := &Timer{ex: ex, index: -1}
	t.Reset(d)
	return t
}

// Sleep returns a future that is ready after d. It is a Timer.
func (ex *Executor) Sleep(d time.Duration) future.Future[struct{}] { return ex.NewTimer(d) }

// Reset re-arms the timer to fire d from now. Moving an armed deadline
// later does no heap work: the heap keeps the old, earlier key, and when it
// comes up the loop sees the real deadline and puts the timer back. An idle timeout
// reset on every message therefore costs a clock read, not a heap fix.
// (The runtime defers such heap fixes too: the timerModified bit in
// runtime/time.go.)
func (t *Timer) Reset(d time.Duration) {
	ex := t.ex
	t.when = ex.now() + int64(max(d, 0))
	t.fired = false
	switch {
	case t.index < 0:
		t.key = t.when
		heap.Push(&ex.timers, t)
	case t.when < t.key:
		t.key = t.when
		heap.Fix(&ex.timers, t.index)
	}
}

// Stop disarms the timer; it will not fire (until Reset). Its waker is
// forgotten.
func (t *Timer) Stop() {
	if t.index >= 0 {
		heap.Remove(&t.ex.timers, t.index)
	}
	t.waker = nil
}

// stopAndWake stops the timer and wakes the task waiting on it, without
// marking it fired: for the timer's owner when it closes, so that the task
// polls again and finds it closed.
func (t *Timer) stopAndWake() {
	w := t.waker
	t.Stop()
	if w != nil {
		t.ex.wake(w)
	}
}

// Drop stops the timer: a Sleep abandoned by Select or Timeout leaves
// nothing in the heap.
func (t *Timer) Drop() { t.Stop() }

// Poll is ready once the timer fired. A stopped timer stays pending.
func (t *Timer) Poll(cx *future.Context) future.Poll[struct{}] {
	if t.fired {
		return future.PollReady(struct{}{})
	}
	t.waker = cx.Waker() // replaced on every pending poll
	return future.Pending[struct{}]()
}

// fireTimers fires every timer whose deadline has passed, in deadline
// order. A timer is never fired early: the loop's Poll timeout is rounded
// up, and here the clock is read again.
func (ex *Executor) fireTimers() {
	if len(ex.timers) == 0 {
		return
	}
	now := ex.now()
	for len(ex.timers) > 0 && ex.timers[0].key <= now {
		t := ex.timers[0]
		if t.when > now { // moved later by Reset: put it back at its real deadline
			t.key = t.when
			heap.Fix(&ex.timers, 0)
			continue
		}
		heap.Pop(&ex.timers)
		t.fired = true
		ex.stats.TimersFired++
		if ex.debug {
			ex.log.Debug("timer fired", "late", time.Duration(now-t.when))
		}
		if w := t.waker; w != nil {
			t.waker = nil
			ex.wake(w)
		}
	}
}

// timerHeap is a min-heap of timers by key, for container/heap.
type timerHeap []*Timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].key < h[j].key }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*Timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// clear empties the heap and marks its timers unarmed, so that a Stop or
// Reset after the executor closed does not index the emptied heap.
func (h *timerHeap) clear() {
	for _, t := range *h {
		t.index = -1
	}
	*h = nil
}

// Timeout returns a future of fut's value, or of ErrTimeout if d passes
// first; then fut is dropped. d counts from this call (the timer is armed
// here), and fut is polled before the timer, so a ready fut wins a tie.
func Timeout[T any](ex *Executor, d time.Duration, fut future.Future[T]) future.Future[Result[T]] {
	return &timeoutFuture[T]{fut: fut, timer: ex.NewTimer(d)}
}

type timeoutFuture[T any] struct {
	fut   future.Future[T]
	timer *Timer
	done  bool
}

func (f *timeoutFuture[T]) Poll(cx *future.Context) future.Poll[Result[T]] {
	if f.done {
		panic("executor: Timeout polled after completion")
	}
	if r := f.fut.Poll(cx); r.IsReady() {
		f.done = true
		f.timer.Stop()
		return future.PollReady(Result[T]{Value: r.Value()})
	}
	if f.timer.Poll(cx).IsReady() {
		f.done = true
		future.Drop(f.fut)
		return future.PollReady(Result[T]{Err: ErrTimeout})
	}
	return future.Pending[Result[T]]()
}

// Drop drops the inner future and stops the timer.
func (f *timeoutFuture[T]) Drop() {
	if !f.done {
		f.done = true
		future.Drop(f.fut)
		f.timer.Stop()
	}
}
