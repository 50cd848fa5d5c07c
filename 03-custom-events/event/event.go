package event

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
)

// ErrClosed is returned by Set, Clear, Register and friends after Close, and
// by a second Close: errors.Is(err, event.ErrClosed).
var ErrClosed = errors.New("event: use of closed user event")

// errRegistered and errNotRegistered mirror poll's EEXIST and ENOENT for the
// one case poll cannot see: the same Registration used with two pollers.
var (
	errRegistered    = errors.New("event: already registered (Deregister first, or use Reregister)")
	errNotRegistered = errors.New("event: not registered with this Poll")
)

// Registration is the polling side of a user event (mio's Registration). It
// is registered in a poll.Poll like a socket and reported with Readable set.
// Its methods are meant for the goroutine that polls.
type Registration struct {
	s *shared
}

// SetReadiness is the triggering side of a user event (mio's SetReadiness).
// Any goroutine may call Set, any number of times, concurrently.
type SetReadiness struct {
	s *shared
}

// shared is what both halves point to.
type shared struct {
	// pending is true from the Set that made the kernel object ready until
	// the Clear that consumed it. Set only makes a syscall when it flips
	// pending from false to true (the same CAS as runtime's netpollWakeSig).
	pending pendingFlag // an atomic.Bool (pending.go)

	// closed is set by Close under mu; Set reads it without the lock first
	// (fast path), then again under mu before touching the kernel object.
	closed atomic.Bool

	// wakes counts the syscalls Set made (eventfd or pipe writes); read by
	// Wakeups.
	wakes atomic.Uint64

	// mu guards the kernel object and the registration below. Set's syscall
	// and Clear's consume hold it for reading, so they run concurrently;
	// Register, Reregister, Deregister and Close hold it for writing, so the
	// descriptor is never closed under a Set that is about to write to it.
	mu      sync.RWMutex
	p       *poll.Poll // the Poll we are registered with, nil if none
	backend            // the OS part: event_linux.go or event_pipe.go
}

// New creates a user event and returns its two halves: eventfd(0,
// EFD_NONBLOCK|EFD_CLOEXEC) on Linux, a non-blocking pipe on macOS and
// FreeBSD. Close the Registration when done; that releases everything.
func New() (*Registration, *SetReadiness, error) {
	s := &shared{}
	if err := s.open(); err != nil {
		return nil, nil, err
	}
	return &Registration{s: s}, &SetReadiness{s: s}, nil
}

// Register adds the user event to p with token tok. mode decides how a Set
// is reported: Level on every Poll until Clear, Edge once per Set that found
// the event idle, Oneshot once and then not again until Reregister. A Set
// made before Register is not lost: the event is reported as soon as it is
// registered.
func (r *Registration) Register(p *poll.Poll, tok poll.Token, mode poll.Mode) error {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.p != nil {
		return errRegistered
	}
	if err := s.register(p, tok, mode); err != nil {
		return err
	}
	s.p = p
	return nil
}

// Reregister changes the token or mode, and re-arms a Oneshot registration.
// If the event is ready (Set since the last Clear) it is reported again.
func (r *Registration) Reregister(p *poll.Poll, tok poll.Token, mode poll.Mode) error {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.p != p {
		return errNotRegistered
	}
	return s.reregister(tok, mode)
}

// Deregister removes the user event from p. Sets that happen while it is
// not registered are remembered and reported after the next Register.
func (r *Registration) Deregister(p *poll.Poll) error {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.p != p {
		return errNotRegistered
	}
	err := s.deregister()
	s.p = nil
	return err
}

// Close deregisters the user event if it is registered and releases its
// kernel object. After Close no Poll reports it, and Set and Clear return
// ErrClosed. A second Close returns ErrClosed.
func (r *Registration) Close() error {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Swap(true) {
		return ErrClosed
	}
	var err error
	if s.p != nil {
		err = s.deregister()
		if errors.Is(err, poll.ErrClosed) {
			err = nil // the poller is gone, and our registration with it
		}
		s.p = nil
	}
	return errors.Join(err, s.release())
}

// Wakeups reports how many times Set actually made a syscall (an eventfd
// or pipe write). Compare it with the number of Set calls to see
// coalescing at work.
func (s *SetReadiness) Wakeups() uint64 {
	return s.s.wakes.Load()
}

// fdSource hands the kernel object's descriptor to poll.Register without
// making it part of this package's public API (a caller holding it could
// close it, or write to it after Close).
type fdSource int

func (f fdSource) Fd() int { return int(f) }

// testHookClear, if set by a test, runs inside Clear between its two steps:
// the exact moment a racing Set can land.
var testHookClear func()

// runTestHookClear runs testHookClear if a test installed one. It is the
// only test seam in Clear; in the real program it does nothing.
func runTestHookClear() {
	if testHookClear != nil {
		testHookClear()
	}
}
