package echo

import (
	"errors"
	"io"

	"golang.org/x/sys/unix"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/08-io-uring/loop"
)

// echoConn is one echo connection as a state machine: a recv in flight, or a
// send in flight, never both. The buffer the data arrived in is sent from and
// then released; while the send is in flight it belongs to the kernel.
type echoConn struct {
	s      *Server
	rx     *loop.Receiver                       // multishot recv, or nil
	recv   future.Future[loop.Result[loop.Buf]] // one-shot recv in flight, or nil
	send   future.Future[loop.Result[int]]      // in flight, or nil
	echoed int64
	buf    loop.Buf // what send is echoing
	fd     int32
	sent   int32 // bytes of buf already sent
	closed bool
}

func (c *echoConn) Poll(cx *future.Context) future.Poll[struct{}] {
	l, idle := c.s.l, c.s.cfg.Idle
	for {
		if c.send != nil {
			p := c.send.Poll(cx)
			if !p.IsReady() {
				if c.rx != nil {
					c.rx.Pace() // data piling up behind a slow send: pause the recvs
				}
				return future.Pending[struct{}]() // the send's CQE will wake us
			}
			c.send = nil
			n, err := p.Value().Get()
			if err != nil {
				l.Release(c.buf) // the CQE came: the buffer is ours again
				return c.finish(err)
			}
			c.sent += int32(n)
			if int(c.sent) < c.buf.Len() {
				// A short send: the rest, from the same buffer.
				c.send = l.SendBuf(int(c.fd), c.buf, int(c.sent), idle)
				continue
			}
			c.echoed += int64(c.sent)
			l.Release(c.buf)
		}
		b, err, ready := c.pollRecv(cx)
		if !ready {
			return future.Pending[struct{}]() // the recv's CQE will wake us
		}
		if err == io.EOF {
			// Half-close: everything before the FIN was echoed already
			// (one operation at a time), so closing now loses nothing.
			return c.finish(nil)
		}
		if err != nil {
			return c.finish(err)
		}
		c.buf, c.sent = b, 0
		c.send = l.SendBuf(int(c.fd), b, 0, idle)
	}
}

// pollRecv takes the next data from the multishot recv, or from a one-shot
// recv it starts if none is in flight.
func (c *echoConn) pollRecv(cx *future.Context) (loop.Buf, error, bool) {
	if c.rx != nil {
		return c.rx.PollRecv(cx)
	}
	if c.recv == nil {
		c.recv = c.s.l.Recv(int(c.fd), c.s.cfg.Idle)
	}
	p := c.recv.Poll(cx)
	if !p.IsReady() {
		return loop.Buf{}, nil, false
	}
	c.recv = nil
	b, err := p.Value().Get()
	return b, err, true
}

func (c *echoConn) finish(err error) future.Poll[struct{}] {
	if errors.Is(err, loop.ErrTimeout) {
		err = errIdle
	}
	c.close(err)
	return future.PollReady(struct{}{})
}

var errIdle = errors.New("idle timeout")

// Drop is shutdown's end for a connection still open: its operation in
// flight is cancelled (the loop keeps its buffer until the CQE) and the
// socket closed. Closing the descriptor is safe with an operation still in
// flight: the ring holds its own reference to the socket until the CQE.
func (c *echoConn) Drop() {
	if c.recv != nil {
		future.Drop(c.recv)
		c.recv = nil
	}
	if c.rx != nil {
		c.rx.Close() // unread buffers go back now, those in flight at their CQE
	}
	if c.send != nil {
		future.Drop(c.send) // the loop releases c.buf when the send's CQE comes
		c.send = nil
	}
	c.close(errShutdown)
}

var errShutdown = errors.New("server shutting down")

func (c *echoConn) close(err error) {
	if c.closed {
		return
	}
	c.closed = true
	if c.rx != nil {
		c.rx.Close()
	}
	unix.Close(int(c.fd))
	c.s.connDone(int(c.fd), c.echoed, err)
}
