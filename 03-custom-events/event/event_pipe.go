//go:build darwin || freebsd

package event

import (
	"errors"
	"os"
	"syscall"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"golang.org/x/sys/unix"
)

// backend is the macOS and FreeBSD part of shared: a pipe, the classic
// self-pipe. It is readable while it holds a byte, exactly as an eventfd is
// readable while its counter is not zero, so it is registered through poll's
// public Register like any socket, and everything else in this package
// behaves as on Linux.
//
// Why not EVFILT_USER, kqueue's filter made for this (and what Go's runtime
// uses, runtime/netpoll_kqueue_event.go)? It has no descriptor, so it cannot
// go through Register: stage 02 would need extra methods that exist on
// kqueue only, a poll API that changes with GOOS. And its semantics differ
// between kernels where our Reregister would meet them: FreeBSD's
// filt_usertouch (sys/kern/kern_event.c), handling an EV_ADD that carries
// EV_CLEAR (our Edge mode) for an existing user event, resets kn_hookid, so
// re-registering an Edge event throws away a trigger that was still
// pending; XNU's filt_usertouch leaves it. Go's runtime needs neither: it
// registers its one user event once, for good. NetBSD and OpenBSD get a pipe
// from the runtime too (runtime/netpoll_kqueue_pipe.go).
type backend struct {
	r, w int // the pipe's ends, non-blocking; valid until release closes them (under mu)
}

// open creates the pipe, non-blocking (Clear must never block on an empty
// pipe, Set never on a full one) and close-on-exec. macOS has no pipe2, so
// the flags are set after the fact, under syscall.ForkLock so that a
// concurrent fork+exec cannot inherit the ends in between (as os.Pipe does).
func (s *shared) open() error {
	var p [2]int
	syscall.ForkLock.RLock()
	err := unix.Pipe(p[:])
	if err == nil {
		unix.CloseOnExec(p[0])
		unix.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return os.NewSyscallError("pipe", err)
	}
	for _, fd := range p {
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return os.NewSyscallError("fcntl", err)
		}
	}
	s.r, s.w = p[0], p[1]
	return nil
}

// wake is the syscall half of Set: write one byte into the pipe.
func (s *shared) wake() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	// Checked again under the lock: Close may have run since Set's fast
	// path, and the numbers may now belong to other files.
	if s.closed.Load() {
		return ErrClosed
	}
	_, err := ignoringEINTR(func() (int, error) { return unix.Write(s.w, []byte{1}) })
	switch err {
	case nil:
		s.wakes.Add(1)
		return nil
	case unix.EAGAIN:
		// The pipe is full: it is as readable as it gets. Cannot happen
		// with the pending flag (one byte per Clear), but it would not be
		// an error if it did.
		return nil
	default:
		return os.NewSyscallError("write", err)
	}
}

// consume is the kernel half of Clear: read the pipe empty, so that it stops
// being readable.
func (s *shared) consume() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed.Load() {
		return ErrClosed
	}
	var buf [64]byte
	for {
		n, err := ignoringEINTR(func() (int, error) { return unix.Read(s.r, buf[:]) })
		switch {
		case err == unix.EAGAIN:
			// Empty: drained, or Clear after a spurious event.
			return nil
		case err != nil:
			return os.NewSyscallError("read", err)
		case n < len(buf):
			return nil // a short read: the pipe was emptied
		}
	}
}

// register goes through poll's public Register: to the poller the pipe's
// read end is just one more readable descriptor, like a socket.
func (s *shared) register(p *poll.Poll, tok poll.Token, mode poll.Mode) error {
	return p.Register(fdSource(s.r), tok, poll.Readable, mode)
}

func (s *shared) reregister(tok poll.Token, mode poll.Mode) error {
	return s.p.Reregister(fdSource(s.r), tok, poll.Readable, mode)
}

func (s *shared) deregister() error {
	return s.p.Deregister(fdSource(s.r))
}

// release closes both ends. Called with mu held for writing, after
// deregister, so no wake or consume is using the numbers.
func (s *shared) release() error {
	// NOTE: not retried on EINTR: the descriptor is gone either way.
	return errors.Join(
		os.NewSyscallError("close", unix.Close(s.r)),
		os.NewSyscallError("close", unix.Close(s.w)))
}
