package echo

import (
	"errors"
	"io"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// echoConn is one connection's echo task, written by hand as a state machine
// (see the package doc for its states). Waiting for the client, it holds
// exactly these fields.
type echoConn struct {
	srv     *Server
	st      *executor.Stream
	pending []byte          // what a short write left over; nil unless flushing
	timer   *executor.Timer // idle timeout; nil when Config.Idle is 0
	echoed  int64           // bytes echoed, for the close log
	eof     bool            // the client half-closed: flush, then close
	done    bool            // closed and reported (Poll returned ready or Drop ran)
}

func (s *Server) newEchoConn(st *executor.Stream) *echoConn {
	c := &echoConn{srv: s, st: st}
	if s.cfg.Idle > 0 {
		c.timer = s.ex.NewTimer(s.cfg.Idle)
	}
	return c
}

// Poll runs the connection as far as the socket allows. Every path that
// returns Pending got executor.ErrPending from PollRead or PollWrite: the
// task's waker is stored in the reactor for that direction, and the reactor
// wakes it on the next edge. A path that returned Pending without that would
// leave the task asleep forever.
func (c *echoConn) Poll(cx *future.Context) future.Poll[struct{}] {
	if c.done {
		panic("echo: connection polled after completion")
	}
	if c.timer != nil && c.timer.Poll(cx).IsReady() {
		return c.finish(errIdle)
	}
	buf := c.srv.buf
	for {
		// (1) Back-pressure: flush what is left before reading more.
		if len(c.pending) > 0 {
			n, err := c.st.PollWrite(cx, c.pending)
			c.pending = c.pending[n:]
			c.echoed += int64(n)
			switch {
			case errors.Is(err, executor.ErrPending):
				return future.Pending[struct{}]() // waker stored for writable
			case err != nil:
				return c.finish(err)
			case len(c.pending) > 0:
				continue // short write: try again (the next call may say pending)
			}
			c.pending = nil // drained: an idle connection holds no buffer
			c.touch()
		}
		if c.eof {
			return c.finish(nil) // half-closed and everything echoed
		}
		// (2) Read into the server's shared buffer and echo at once.
		n, err := c.st.PollRead(cx, buf)
		if n > 0 {
			c.touch()
			rest, werr := writeOrKeep(cx, c.st, buf[:n], c.pending)
			c.echoed += int64(n - len(rest))
			c.pending = rest
			if werr != nil && !errors.Is(werr, executor.ErrPending) {
				return c.finish(werr)
			}
		}
		switch {
		case err == nil:
			// Read some; loop: flush leftovers, or read again until the
			// socket says would-block (edge-triggered: drain, pitfall 7).
			// The executor's I/O budget turns a read into ErrPending when
			// this task has had its share, so a chatty client yields.
		case err == io.EOF:
			if c.onEOF() {
				return c.finish(nil)
			}
		case errors.Is(err, executor.ErrPending):
			if len(c.pending) > 0 {
				continue // go flush (it will register the write waker)
			}
			return future.Pending[struct{}]() // waker stored for readable
		default:
			return c.finish(err) // ECONNRESET and friends: this client only
		}
	}
}

// touch pushes the idle deadline back after activity.
func (c *echoConn) touch() {
	if c.timer != nil {
		c.timer.Reset(c.srv.cfg.Idle)
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
	if c.done {
		return
	}
	c.done = true
	if c.timer != nil {
		c.timer.Stop()
	}
	peer := c.st.PeerAddr()
	_ = c.st.Close() // deregisters, then closes
	c.pending = nil
	c.srv.connDone(peer, c.echoed, err)
}

var (
	errIdle     = errors.New("idle timeout")
	errShutdown = errors.New("server shutting down")
)
