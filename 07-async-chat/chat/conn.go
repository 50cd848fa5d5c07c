package chat

import (
	"errors"
	"io"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/07-async-chat/channel"
	"github.com/async-from-scratch/course/07-async-chat/tasks"
)

// client is one connection as the hub and its two tasks see it.
type client struct {
	st          *executor.Stream
	out         *channel.Chan[[]byte] // lines for this client; closed by the hub when it leaves
	name        string                // hub only
	slot        int                   // index in hub.clients; -1 when not joined
	queued      int                   // bytes in out: the hub adds, the writer subtracts
	kicked      bool                  // too slow: the writer drops the queue and ends
	writerWaker future.Waker          // the writer's latest pending poll, for kick
}

var (
	errTooSlow = errors.New("too slow")
)

// serveConn is one connection's task. It joins the hub, runs a reader and
// a writer in a group, and when either ends, ends the other: a reader that
// ends (EOF, /quit) lets the writer flush for at most Grace; a writer that
// ends (kicked, write error, shutdown) cancels the reader.
func (s *Server) serveConn(st *executor.Stream) future.Future[error] {
	return future.Async(func(co *future.Co) error {
		c := &client{st: st, out: channel.New[[]byte](s.cfg.QueueLines), slot: -1}
		defer func() {
			s.log.Info("closed", "peer", st.PeerAddr(), "client", c.name)
			st.Close()
		}()
		if err := future.Await(co, s.inbox.Send(event{kind: evJoin, c: c})); err != nil {
			return err // the hub is gone: shutting down
		}
		g := tasks.NewGroup(s.ex)
		defer g.Drop() // if this task is dropped (shutdown after Grace), so are both
		reader := g.Spawn(s.readLoop(c))
		g.Spawn(&writer{c: c})
		first := future.Await(co, g.Next())
		if first.ID == reader {
			// EOF or /quit: the hub announces the leave and closes out;
			// the writer flushes what is queued, then ends.
			future.Await(co, s.inbox.Send(event{kind: evLeave, c: c}))
			r := future.Await(co, executor.Timeout(s.ex, s.cfg.Grace, g.Wait()))
			if r.Err != nil {
				s.log.Info("client did not read what it was owed", "client", c.name)
			}
			return first.Err
		}
		// The writer ended: kicked, a write error, or out closed by the
		// hub at shutdown. The reader waits in Read, which is cancel-safe.
		g.Cancel()
		future.Await(co, s.inbox.Send(event{kind: evLeave, c: c}))
		return first.Err
	})
}

// readLoop reads lines and sends them to the hub, in order. Waiting to Send
// is back-pressure: while the hub is busy, this client's bytes wait in the
// kernel.
func (s *Server) readLoop(c *client) future.Future[error] {
	return future.Async(func(co *future.Co) error {
		buf := make([]byte, 4096)
		lines := lineSplitter{max: MaxLine}
		for {
			n, rerr := future.Await(co, c.st.Read(buf)).Get()
			data := buf[:n]
			for {
				line, rest, r := lines.next(data)
				data = rest
				if r == needMore {
					break
				}
				ev := event{kind: evTooLong, c: c}
				if r == gotLine {
					ev = event{kind: evLine, c: c, text: string(line)} // a copy: buf is reused
				}
				if err := future.Await(co, s.inbox.Send(ev)); err != nil {
					return err // the hub closed: shutting down
				}
				if ev.text == "/quit" {
					return nil
				}
			}
			if rerr == io.EOF {
				return nil
			}
			if rerr != nil {
				return rerr
			}
		}
	})
}

// writer is the writing half of a connection, by hand: it takes lines from
// c.out, copies as many as are queued into one batch, and writes the batch.
// Waiting, it holds its Waiter (in this struct: no allocation) and a batch
// buffer that it reuses.
type writer struct {
	c     *client
	w     channel.Waiter
	batch []byte // lines taken from out, being written
	off   int    // bytes of batch written
}

const (
	maxBatch  = 32 << 10 // copy at most this much into one write
	idleBatch = 4 << 10  // keep at most this much buffer while idle
)

func (wr *writer) Poll(cx *future.Context) future.Poll[error] {
	c := wr.c
	c.writerWaker = cx.Waker() // for kick: we may be waiting on the socket
	for {
		if c.kicked {
			return future.PollReady(wr.sayTooSlow(cx))
		}
		if wr.off < len(wr.batch) {
			n, err := c.st.PollWrite(cx, wr.batch[wr.off:])
			wr.off += n
			switch {
			case errors.Is(err, executor.ErrPending):
				return future.Pending[error]() // waker stored for writable
			case err != nil:
				return future.PollReady(err)
			}
			continue
		}
		// All written: refill. Wait for the first line; take the rest
		// without waiting.
		wr.batch, wr.off = wr.batch[:0], 0
		line, err := c.out.PollRecv(cx, &wr.w)
		switch {
		case errors.Is(err, executor.ErrPending):
			if cap(wr.batch) > idleBatch {
				wr.batch = nil // a burst grew it: an idle client keeps only a small one
			}
			return future.Pending[error]() // waiter queued in out
		case err != nil:
			return future.PollReady[error](nil) // closed and drained: all flushed
		}
		wr.take(line)
		for len(wr.batch) < maxBatch {
			line, err := c.out.TryRecv()
			if err != nil {
				break
			}
			wr.take(line)
		}
	}
}

func (wr *writer) take(line []byte) {
	wr.c.queued -= len(line)
	wr.batch = append(wr.batch, line...)
}

// sayTooSlow makes one attempt to tell a kicked client why: whatever the
// socket buffer takes now, never waiting.
func (wr *writer) sayTooSlow(cx *future.Context) error {
	msg := "! too slow\n"
	if wr.off > 0 && wr.off < len(wr.batch) {
		msg = "\n" + msg // a line was cut short
	}
	wr.c.st.PollWrite(cx, []byte(msg))
	return errTooSlow
}

// Drop leaves out's queue when the connection is cancelled.
func (wr *writer) Drop() { wr.c.out.Forget(&wr.w) }
