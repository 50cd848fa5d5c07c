//go:build ex_stalewaker_wrong_willwake

package future

// Register, wrong answer for ex_stalewaker: Rust's will_wake applied the
// wrong way. It stores w only into an empty slot or over the same waker, so a
// different waker never replaces the first.
func (s *WakerSlot) Register(w Waker) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waker == nil || s.waker == w {
		s.waker = w
	}
}
