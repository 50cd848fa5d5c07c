package future

import (
	"sync"
	"testing"
)

func TestWakerSlotWakesLatestWaker(t *testing.T) {
	var s WakerSlot
	first, second := &countWaker{}, &countWaker{}
	s.Register(first)
	s.Register(second) // the future moved: polled now under another waker
	s.Wake()
	if second.count() != 1 {
		t.Errorf("Wake() woke the latest waker %d times, want 1: the slot kept a stale waker instead of the latest", second.count())
	}
	if first.count() != 0 {
		t.Errorf("the replaced waker was woken %d times, want 0: its task no longer waits here, and Register forgets it", first.count())
	}
}

// The same bug as the blog's executor: a future first polled by one task and
// then handed to another must wake the second task, not the first.
func TestWakerSlotFutureMovedToAnotherContext(t *testing.T) {
	g := newGate(7)
	taskA, taskB := &countWaker{}, &countWaker{}
	if got := g.Poll(NewContext(taskA)); got.IsReady() {
		t.Fatalf("gate.Poll = %v, want Pending", got)
	}
	if got := g.Poll(NewContext(taskB)); got.IsReady() {
		t.Fatalf("gate.Poll = %v, want Pending", got)
	}
	g.open()
	if taskA.count() != 0 || taskB.count() != 1 {
		t.Errorf("open() woke task A %d times and task B %d times, want 0 and 1: the future kept its first waker", taskA.count(), taskB.count())
	}
}

func TestWakerSlotWakeTakesWaker(t *testing.T) {
	var s WakerSlot
	s.Wake() // empty: nothing happens
	w := &countWaker{}
	s.Register(w)
	s.Register(w)
	s.Wake()
	s.Wake() // the waker was taken by the first Wake
	if w.count() != 1 {
		t.Errorf("woken %d times, want 1", w.count())
	}
}

// Run with -race: Register and Wake race from different goroutines.
func TestWakerSlotConcurrentRegisterAndWake(t *testing.T) {
	var s WakerSlot
	var wg sync.WaitGroup
	w := &countWaker{}
	for range 4 {
		wg.Go(func() {
			for range 200 {
				s.Register(w)
				s.Wake()
			}
		})
	}
	wg.Wait()
	if w.count() == 0 || w.count() > 800 {
		t.Errorf("woken %d times, want between 1 and 800", w.count())
	}
}
