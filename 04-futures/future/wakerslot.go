package future

import "sync"

// WakerSlot holds the waker of the latest pending poll of one future, for the
// goroutine that will make the future ready to call (futures-rs calls it
// AtomicWaker). The future calls Register on every poll that returns pending;
// the event source calls Wake. The zero value is an empty slot, ready to use.
//
// # States
//
//	empty --Register(w)--> holding w --Register(w2)--> holding w2 (w forgotten)
//	  ^                        |
//	  +---------Wake()---------+  (w.Wake() called once, outside the lock)
//
// Register and Wake are safe to call from different goroutines at the same
// time. The lost-wakeup rule for users: Register first, then check whether the
// event already happened, then return pending. A Wake that runs between the
// two finds the new waker; one that ran before Register is seen by the check.
type WakerSlot struct {
	mu    sync.Mutex // guards waker
	waker Waker      // nil when empty
}

// Wake takes the stored waker out of the slot and calls it. It does nothing if
// the slot is empty.
func (s *WakerSlot) Wake() {
	s.mu.Lock()
	w := s.waker
	s.waker = nil
	s.mu.Unlock()
	if w != nil {
		w.Wake() // outside the lock: Wake may poll, and polling may Register
	}
}
