//go:build ex_stalewaker_wrong_wakeold

package future

// Register, wrong answer for ex_stalewaker: it keeps the latest waker, but
// wakes the one it replaces "so that nobody is forgotten". The old waker
// belongs to a task that no longer waits here: a wake for nothing, under
// the slot's lock.
func (s *WakerSlot) Register(w Waker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.waker; old != nil && old != w {
		old.Wake()
	}
	s.waker = w
}
