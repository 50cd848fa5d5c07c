package echo

import (
	"errors"
	"io"
	"math"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// echoConn is one connection's echo task, written by hand as a state machine
// (see the package doc for its states). Waiting for the client, it holds
// exactly these fields: 32 bytes (28 and padding), no buffer. (Every field counts: with
// 10,000 idle connections, 16 bytes here are 160 KB.)
type echoConn struct {
	srv    *Server
	st     *executor.Stream // nil once closed and reported
	extra  *connExtra       // nil unless flushing a short write or an idle timer is set
	echoed uint32           // bytes echoed, for the close log; stops at 4 GiB
}

// connExtra is what only some connections need, kept out of echoConn so that
// the common idle connection does not pay for it.
type connExtra struct {
	pending []byte          // what a short write left over; empty unless flushing
	timer   *executor.Timer // idle timeout; nil when Config.Idle is 0
}

func (s *Server) newEchoConn(st *executor.Stream) *echoConn {
	c := &echoConn{srv: s, st: st}
	if s.cfg.Idle > 0 {
		c.extra = &connExtra{timer: s.ex.NewTimer(s.cfg.Idle)}
	}
	return c
}

// pending returns what is left to flush.
func (c *echoConn) pending() []byte {
	if c.extra == nil {
		return nil
	}
	return c.extra.pending
}

// setPending keeps rest (a copy, never a window into the shared buffer)
// for the next flush, and drops connExtra again when nothing needs it.
func (c *echoConn) setPending(rest []byte) {
	switch {
	case len(rest) > 0 && c.extra == nil:
		c.extra = &connExtra{pending: rest}
	case c.extra != nil:
		c.extra.pending = rest
		if len(rest) == 0 {
			c.extra.pending = nil // an idle connection holds no buffer
			if c.extra.timer == nil {
				c.extra = nil
			}
		}
	}
}

// Poll runs the connection as far as the socket allows.
//
// Every path that returns Pending got executor.ErrPending from PollRead or
// PollWrite: the task's waker is stored in the reactor for that direction,
// and the reactor wakes it on the next edge. A path that returned Pending
// without that would leave the task asleep forever.
//
// It reads only when nothing is pending, so at most one read's worth is held
// for a client that does not read (back-pressure), and an EOF always finds
// everything before it echoed. Any byte that moves, in either direction,
// pushes the idle deadline back.
func (c *echoConn) Poll(cx *future.Context) future.Poll[struct{}] {
	if c.st == nil {
		panic("echo: connection polled after completion")
	}
	if c.extra != nil && c.extra.timer != nil && c.extra.timer.Poll(cx).IsReady() {
		return c.finish(errIdle)
	}
	buf := c.srv.buf
	for {
		// (1) Back-pressure: flush what is left before reading more.
		if p := c.pending(); len(p) > 0 {
			n, err := c.st.PollWrite(cx, p)
			c.setPending(p[n:])
			c.count(n)
			if n > 0 {
				c.touch() // a slow reader that takes a little at a time is not idle
			}
			switch {
			case errors.Is(err, executor.ErrPending):
				return future.Pending[struct{}]() // waker stored for writable
			case err != nil:
				return c.finish(err)
			}
			continue // flush the rest, or read once it is all out
		}
		// (2) Nothing pending: read into the server's shared buffer and
		// echo at once.
		n, err := c.st.PollRead(cx, buf)
		if n > 0 {
			c.touch()
			rest, werr := writeOrKeep(cx, c.st, buf[:n])
			c.count(n - len(rest))
			c.setPending(rest)
			if werr != nil && !errors.Is(werr, executor.ErrPending) {
				return c.finish(werr)
			}
		}
		switch {
		case err == nil:
			// Read some; loop: flush leftovers, or read again until the
			// socket says would-block (edge-triggered: drain, pitfall 7).
			// After a short read PollRead knows the socket is drained and
			// says ErrPending without a system call. The executor's I/O
			// budget turns a read into ErrPending when this task has had
			// its share, so a chatty client yields.
		case err == io.EOF:
			return c.onEOF()
		case errors.Is(err, executor.ErrPending):
			return future.Pending[struct{}]() // waker stored for readable
		default:
			return c.finish(err) // ECONNRESET and friends: this client only
		}
	}
}

// count adds n to the bytes echoed, stopping at the counter's maximum.
func (c *echoConn) count(n int) {
	c.echoed = uint32(min(uint64(c.echoed)+uint64(n), math.MaxUint32))
}

// touch pushes the idle deadline back after activity.
func (c *echoConn) touch() {
	if c.extra != nil && c.extra.timer != nil {
		c.extra.timer.Reset(c.srv.cfg.Idle)
	}
}

// finish closes the connection and reports it; the task is then done.
func (c *echoConn) finish(err error) future.Poll[struct{}] {
	c.close(err)
	return future.PollReady(struct{}{})
}

// Drop runs when the executor drops the task unfinished (shutdown after the
// grace period): the connection is closed and reported all the same.
func (c *echoConn) Drop() { c.close(errShutdown) }

func (c *echoConn) close(err error) {
	if c.st == nil {
		return // already closed and reported
	}
	if c.extra != nil && c.extra.timer != nil {
		c.extra.timer.Stop()
	}
	c.extra = nil
	peer := c.st.PeerAddr()
	_ = c.st.Close() // deregisters, then closes
	c.st = nil
	c.srv.connDone(peer, int64(c.echoed), err)
}

var (
	errIdle     = errors.New("idle timeout")
	errShutdown = errors.New("server shutting down")
)
