//go:build !ex_stalewaker && !ex_stalewaker_wrong_wakeold && !ex_stalewaker_wrong_willwake

package future

// Register stores w as the waker to call on the next Wake, replacing whatever
// the slot held. Call it on every poll that returns pending: the waker can
// change between polls (the future moved to another task, or is polled by a
// new Select), and only the latest one wakes the right task.
//
// Exercise ex_stalewaker (docs/04-futures.md). Check your work with:
//
//	go test -tags ex_stalewaker -run 'TestWakerSlot' ./04-futures/future
func (s *WakerSlot) Register(w Waker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waker != w { // Rust's will_wake: skip the store when it is the same waker
		s.waker = w
	}
}
