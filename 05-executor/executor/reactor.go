package executor

import (
	"strconv"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/04-futures/future"
)

// ioSource is the reactor's record of one registered descriptor: mio's
// ScheduledIo, Go's pollDesc. It is registered once, edge-triggered, for
// both directions, and keeps one waker per direction.
//
// # States of a direction (read shown; write is the same)
//
//	readable=true  -- the operation returned would-block -->  readable=false, readWaker=cx's
//	readable=false -- an event reports readable ----------->  readable=true, readWaker woken and cleared
//
// readable starts true: we try the system call first and learn from
// would-block. An edge-triggered event comes only when the state changes, so
// a direction stays "ready" until a system call says otherwise: the drain
// rule of edge triggering, kept by the flag. For a stream socket a short
// read says it too (see Stream.PollRead), unless hup is set.
//
// All fields are loop-only.
type ioSource struct {
	ex       *Executor
	fd       int
	tok      poll.Token // slot index | generation<<32; 0 when not registered
	closed   bool
	readable bool // the last read-side system call did not say would-block (or a short read)
	writable bool
	hup      bool // an event reported ReadClosed or Error: sticky, read until EOF or an error

	readWaker  future.Waker // woken by the next read-side event; nil if none
	writeWaker future.Waker

	owner interface{ closeSource() error } // the Stream or Listener, for Close
}

// Fd makes an ioSource a poll.Source.
func (s *ioSource) Fd() int { return s.fd }

// register gives s a slot and a token and registers its descriptor with the
// poller: once, edge-triggered, both directions.
func (ex *Executor) register(s *ioSource, fd int) error {
	var idx uint32
	if n := len(ex.free); n > 0 {
		idx = ex.free[n-1]
		ex.free = ex.free[:n-1]
	} else {
		idx = uint32(len(ex.slots))
		ex.slots = append(ex.slots, nil)
		ex.gens = append(ex.gens, 1)
	}
	s.ex, s.fd = ex, fd
	s.tok = poll.Token(uint64(ex.gens[idx])<<32 | uint64(idx))
	if err := ex.p.Register(s, s.tok, poll.Readable|poll.Writable, poll.Edge); err != nil {
		ex.release(s)
		return err
	}
	ex.slots[idx] = s
	if ex.debug {
		ex.log.Debug("register", "fd", fd, "token", tokenString(s.tok))
	}
	return nil
}

// deregister removes s from the poller and frees its slot. Call it before
// closing the descriptor (a closed fd cannot be deregistered, and its number
// may already belong to someone else).
func (ex *Executor) deregister(s *ioSource) error {
	if ex.debug {
		ex.log.Debug("deregister", "fd", s.fd, "token", tokenString(s.tok))
	}
	err := ex.p.Deregister(s)
	ex.release(s)
	return err
}

// tokenString shows a token as slot/generation, for logs.
func tokenString(tok poll.Token) string {
	return strconv.FormatUint(uint64(uint32(tok)), 10) + "/" + strconv.FormatUint(uint64(tok)>>32, 10)
}

// release frees s's slot and bumps the slot's generation, so that any
// event already fetched for the old token is recognised as stale.
func (ex *Executor) release(s *ioSource) {
	idx := uint32(s.tok)
	if s.tok == 0 || int(idx) >= len(ex.slots) {
		return
	}
	if ex.slots[idx] == s {
		ex.slots[idx] = nil
	}
	ex.gens[idx]++
	if ex.gens[idx] == 0 {
		ex.gens[idx] = 1 // generation 0 is never used
	}
	ex.free = append(ex.free, idx)
	s.tok = 0
}

// dispatch turns one poll event into wakes. It runs no task: tasks run
// after the whole batch was dispatched.
func (ex *Executor) dispatch(ev poll.Event) {
	ex.stats.Events++
	if ev.Token == wakeToken {
		// Another goroutine called Set. Clear first, then drain the inbox
		// (drainInbox runs later in this turn): a Set racing with Clear is
		// absorbed by it, but its task is already in the inbox.
		ex.stats.Wakeups++
		_ = ex.reg.Clear()
		if ex.debug {
			ex.log.Debug("event", "source", "wakeup")
		}
		ex.answerDump() // if Dump asked, from another goroutine
		return
	}
	s := ex.lookup(ev.Token)
	if s == nil {
		// The source was closed (and its slot maybe reused) after the
		// kernel queued this event: it belongs to nobody now.
		ex.stats.StaleEvents++
		if ex.debug {
			ex.log.Debug("stale event dropped", "token", tokenString(ev.Token))
		}
		return
	}
	if ex.debug {
		ex.log.Debug("event", "fd", s.fd, "token", tokenString(ev.Token), "readable", ev.Readable,
			"writable", ev.Writable, "error", ev.Error, "readclosed", ev.ReadClosed, "writeclosed", ev.WriteClosed)
	}
	// An error or a hang-up is news for both directions: the next read or
	// write returns it instead of would-block. It is also final: once the
	// peer's FIN (or an error) was reported, no later edge will announce
	// it again, so hup stays set and PollRead reads until it sees EOF.
	if ev.ReadClosed || ev.Error {
		s.hup = true
	}
	if ev.Readable || ev.ReadClosed || ev.Error {
		ex.setReady(&s.readable, &s.readWaker)
	}
	if ev.Writable || ev.WriteClosed || ev.Error {
		ex.setReady(&s.writable, &s.writeWaker)
	}
}

// storeWaker keeps w as the waker of one direction of a source (slot is
// &readWaker or &writeWaker). It is called on every poll that returns
// pending, and it always keeps the latest waker: the future may have moved
// to another task since its last poll, and only the latest poller is
// waiting for it.
func storeWaker(slot *future.Waker, w future.Waker) {
	*slot = w
}
