//go:build darwin || freebsd

package event

import (
	"errors"
	"sync/atomic"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"golang.org/x/sys/unix"
)

// backend is the kqueue part of shared. An EVFILT_USER event is not a
// descriptor: it is an identifier that lives inside one kqueue, so there is
// nothing to open, and a Set can only reach it through the Poll it is
// registered with (poll's TriggerUser hook).
type backend struct {
	ident uint64 // EVFILT_USER identifier, unique in this process
}

// nextIdent hands out EVFILT_USER identifiers. They only have to be unique
// per kqueue (and per filter), but process-wide unique is simpler and lets
// one Registration move between pollers. Go's runtime uses a single fixed
// ident (kqIdent in runtime/netpoll_kqueue_event.go) because it has only
// one wakeup event per kqueue.
var nextIdent atomic.Uint64

func (s *shared) open() error {
	s.ident = nextIdent.Add(1)
	return nil
}

// wake is the syscall half of Set: kevent(EVFILT_USER, NOTE_TRIGGER). If the
// event is not registered anywhere yet there is no kqueue to trigger in:
// pending stays true and register triggers it later.
func (s *shared) wake() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.p == nil {
		return nil // remembered in pending; see register
	}
	if err := s.p.TriggerUser(s.ident); err != nil {
		return err
	}
	s.wakes.Add(1)
	return nil
}

// consume is the kernel half of Clear: reset the triggered state so a Level
// registration stops reporting. Edge registrations (EV_CLEAR) reset
// themselves when reported; clearing them again is harmless.
func (s *shared) consume() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.p == nil {
		return nil
	}
	err := s.p.ClearUser(s.ident)
	if errors.Is(err, unix.ENOENT) {
		// An EV_ONESHOT registration deletes itself once reported;
		// there is nothing left to reset until it is re-armed.
		return nil
	}
	return err
}

// register adds the EVFILT_USER event. A Set that happened while we were
// not registered left pending true without a kevent to trigger: trigger now,
// so it is reported like an eventfd whose counter is already non-zero.
func (s *shared) register(p *poll.Poll, tok poll.Token, mode poll.Mode) error {
	if err := p.RegisterUser(s.ident, tok, mode); err != nil {
		return err
	}
	if s.pending.Load() {
		if err := p.TriggerUser(s.ident); err != nil {
			return errors.Join(err, p.DeregisterUser(s.ident))
		}
	}
	return nil
}

// reregister changes token or mode and re-arms a Oneshot registration. As
// on Linux, an event that is still pending is reported again.
func (s *shared) reregister(tok poll.Token, mode poll.Mode) error {
	if err := s.p.ReregisterUser(s.ident, tok, mode); err != nil {
		return err
	}
	if s.pending.Load() {
		return s.p.TriggerUser(s.ident)
	}
	return nil
}

func (s *shared) deregister() error {
	return s.p.DeregisterUser(s.ident)
}

// release has nothing to free: the identifier died with DeregisterUser.
func (s *shared) release() error {
	return nil
}
