//go:build linux

package event

import (
	"encoding/binary"
	"os"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"golang.org/x/sys/unix"
)

// backend is the Linux part of shared: one eventfd.
type backend struct {
	fd int // the eventfd; valid until release closes it (under mu)
}

// one is the 8-byte value Set writes: eventfd adds it to its counter, and
// the counter going from 0 to non-zero is what makes the fd readable.
var one = binary.NativeEndian.AppendUint64(nil, 1)

// open creates the eventfd. EFD_NONBLOCK: Clear must never block when the
// counter is already zero (a spurious event). EFD_CLOEXEC: like every fd
// here, it must not leak into child processes.
func (s *shared) open() error {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return os.NewSyscallError("eventfd", err)
	}
	s.fd = fd
	return nil
}

// wake is the syscall half of Set: write(efd, 1).
func (s *shared) wake() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	// Checked again under the lock: Close may have run since Set's fast
	// path, and the number in s.fd may now belong to another file.
	if s.closed.Load() {
		return ErrClosed
	}
	_, err := ignoringEINTR(func() (int, error) { return unix.Write(s.fd, one) })
	switch err {
	case nil:
		s.wakes.Add(1)
		return nil
	case unix.EAGAIN:
		// The counter is at its maximum (2^64-2): it is as ready as it
		// gets. Cannot happen with the pending flag, but it would not be
		// an error if it did.
		return nil
	default:
		return os.NewSyscallError("write", err)
	}
}

// consume is the kernel half of Clear: one read returns the counter and
// resets it to zero (we did not ask for EFD_SEMAPHORE), so the fd stops
// being readable.
func (s *shared) consume() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed.Load() {
		return ErrClosed
	}
	var buf [8]byte
	_, err := ignoringEINTR(func() (int, error) { return unix.Read(s.fd, buf[:]) })
	switch err {
	case nil:
		return nil
	case unix.EAGAIN:
		// The counter was already zero: Clear after a spurious event, or
		// twice in a row. Nothing to consume, not an error.
		return nil
	default:
		return os.NewSyscallError("read", err)
	}
}

// register goes through poll's public Register: to the poller an eventfd is
// just one more readable descriptor, like a socket.
func (s *shared) register(p *poll.Poll, tok poll.Token, mode poll.Mode) error {
	return p.Register(fdSource(s.fd), tok, poll.Readable, mode)
}

func (s *shared) reregister(tok poll.Token, mode poll.Mode) error {
	return s.p.Reregister(fdSource(s.fd), tok, poll.Readable, mode)
}

func (s *shared) deregister() error {
	return s.p.Deregister(fdSource(s.fd))
}

// release closes the eventfd. Called with mu held for writing, after
// deregister, so no wake or consume is using the number.
func (s *shared) release() error {
	// NOTE: not retried on EINTR: the fd is gone either way on Linux.
	return os.NewSyscallError("close", unix.Close(s.fd))
}
