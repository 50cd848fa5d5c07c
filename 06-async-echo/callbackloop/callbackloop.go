package callbackloop

import (
	"errors"
	"io"
	"log/slog"
	"runtime"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/03-custom-events/event"
)

// Options tune the loop; zero values pick the defaults.
type Options struct {
	Logger       *slog.Logger // nil: discard
	ReadsPerTurn int          // reads per connection before it yields; 0 -> 16
	BufSize      int          // the shared read buffer; 0 -> 64 KiB
	Events       int          // poll.Events capacity; 0 -> 256
	NoYield      bool         // do not call runtime.Gosched before blocking in Poll

	// ShortReadDrains stops reading after a read that filled less than the
	// buffer, unless the peer's shutdown was reported: for a stream socket a
	// short read means the receive queue was empty at that moment, and any
	// later arrival brings a new edge (epoll(7)). It saves the read that
	// would return EAGAIN: one system call per message of an echo.
	ShortReadDrains bool
}

const (
	stopToken   poll.Token = 0 // the custom event Stop sets
	listenToken poll.Token = 1 // the listener
	firstConn   poll.Token = 2 // connections count up from here, never reused
)

// acceptBackoff is how long the loop stops accepting after EMFILE/ENFILE.
const acceptBackoff = 50 * time.Millisecond

// Server is one echo loop. Run it on one goroutine; Stop it from any.
type Server struct {
	ln       *tcp.Listener
	p        *poll.Poll
	reg      *event.Registration // Stop's wakeup, registered at stopToken
	set      *event.SetReadiness
	opts     Options
	log      *slog.Logger
	buf      []byte               // shared read buffer: echoed at once, never kept
	conns    map[poll.Token]*conn // open connections by token
	next     poll.Token           // the next connection's token
	ready    []*conn              // connections whose budget ran out; served next turn
	spare    []*conn              // ready's other half, swapped each turn
	acceptAt time.Time            // zero, or when to try accept again after EMFILE
}

// conn is everything the loop keeps for one connection. An idle connection
// is this struct, the tcp.Stream and a map entry: no buffer, no goroutine.
type conn struct {
	s       *tcp.Stream
	tok     poll.Token
	pending []byte // written to us but not yet echoed (a short write); nil when idle
	eof     bool   // the client half-closed: echo pending, then close
	hup     bool   // an event reported ReadClosed or Error: read until EOF or EAGAIN
	drained bool   // the last read said EAGAIN (or was short): wait for a readable edge
	queued  bool   // on Server.ready
	closed  bool
}

// New takes ownership of ln and prepares a loop for it.
func New(ln *tcp.Listener, opts Options) (*Server, error) {
	if opts.ReadsPerTurn <= 0 {
		opts.ReadsPerTurn = 16
	}
	if opts.BufSize <= 0 {
		opts.BufSize = 64 << 10
	}
	if opts.Events <= 0 {
		opts.Events = 256
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p, err := poll.New()
	if err != nil {
		return nil, err
	}
	reg, set, err := event.New()
	if err != nil {
		p.Close()
		return nil, err
	}
	s := &Server{ln: ln, p: p, reg: reg, set: set, opts: opts, log: log,
		buf: make([]byte, opts.BufSize), conns: make(map[poll.Token]*conn), next: firstConn}
	if err := reg.Register(p, stopToken, poll.Edge); err != nil {
		s.closeAll()
		return nil, err
	}
	if err := p.Register(ln, listenToken, poll.Readable, poll.Edge); err != nil {
		s.closeAll()
		return nil, err
	}
	return s, nil
}

// Stop makes Run return; safe from any goroutine, any number of times.
func (s *Server) Stop() { _ = s.set.Set() }

// Run serves until Stop, then closes every connection, the listener and the
// poller. It returns an error only when the poller itself fails.
func (s *Server) Run() error {
	defer s.closeAll()
	events := poll.NewEvents(s.opts.Events)
	for {
		timeout := poll.Forever
		if len(s.ready) > 0 {
			timeout = 0 // work is waiting: only collect what else is ready
		} else if !s.acceptAt.IsZero() {
			timeout = max(0, time.Until(s.acceptAt))
		}
		if timeout != 0 && !s.opts.NoYield {
			// About to block: let the goroutines of this processor run
			// first, as stage 05's executor does (in pollTimeout), so
			// that the two loops compared in the benchmark make the same
			// moves. A goroutine that blocks in a system call makes the
			// runtime hand its processor to another thread; yielding first
			// makes that hand-off less frequent.
			runtime.Gosched()
		}
		if _, err := s.p.Poll(events, timeout); err != nil {
			return err
		}
		for ev := range events.All() {
			switch ev.Token {
			case stopToken:
				s.log.Debug("stop")
				return nil
			case listenToken:
				s.accept()
			default:
				c, ok := s.conns[ev.Token]
				if !ok {
					continue // a stale event for a connection closed this turn
				}
				if ev.ReadClosed || ev.Error {
					c.hup = true
				}
				if ev.Readable || ev.ReadClosed || ev.Error {
					c.drained = false // news on the read side
				}
				s.serve(c)
			}
		}
		if !s.acceptAt.IsZero() && !time.Now().Before(s.acceptAt) {
			s.acceptAt = time.Time{}
			s.accept()
		}
		// Serve the connections that used up their budget last time, after
		// everyone who had an event: that is the fairness.
		s.ready, s.spare = s.spare[:0], s.ready
		for _, c := range s.spare {
			c.queued = false
			if !c.closed {
				s.serve(c)
			}
		}
		clear(s.spare)
	}
}

// accept takes connections until the listener would block. The listener is
// edge-triggered too, so stopping early would lose the edge; instead a full
// backlog is drained in one go (accept is cheap compared to a read).
func (s *Server) accept() {
	for {
		st, peer, err := s.ln.Accept()
		switch {
		case errors.Is(err, tcp.ErrWouldBlock):
			return // backlog empty: the next connection brings the next edge
		case isFDLimit(err):
			// No fd for the new connection: it stays in the backlog. Try
			// again later (the poll timeout), not at once: that would spin.
			s.log.Warn("accept: out of file descriptors; backing off", "err", err, "for", acceptBackoff)
			s.acceptAt = time.Now().Add(acceptBackoff)
			return
		case err != nil:
			s.log.Warn("accept", "err", err)
			return
		}
		c := &conn{s: st, tok: s.next}
		s.next++
		if err := s.p.Register(st, c.tok, poll.Readable|poll.Writable, poll.Edge); err != nil {
			s.log.Warn("register", "err", err)
			st.Close()
			continue
		}
		s.conns[c.tok] = c
		s.log.Debug("accepted", "peer", peer, "token", c.tok)
		// Data may have arrived before registration; edge mode reports the
		// current state on registration, so serve() will run from the event.
	}
}

// serve is the callback: it runs when c's token is reported, and when c is
// taken off the ready list. It does as much as the socket allows, up to the
// budget, and then returns.
func (s *Server) serve(c *conn) {
	// (1) Back-pressure: first push out what an earlier short write left.
	if len(c.pending) > 0 {
		n, err := writeSome(c.s, c.pending)
		c.pending = c.pending[n:]
		if err != nil {
			s.close(c, err)
			return
		}
		if len(c.pending) > 0 {
			return // would block: the next writable edge brings us back
		}
		c.pending = nil // drop the buffer: an idle connection holds none
	}
	if c.eof {
		s.close(c, nil) // half-closed and fully echoed
		return
	}
	if c.drained {
		return // a writable-only event: nothing new to read
	}
	// (2) Read and echo, at most ReadsPerTurn times.
	for range s.opts.ReadsPerTurn {
		n, err := c.s.Read(s.buf)
		if n > 0 {
			w, werr := writeSome(c.s, s.buf[:n])
			if werr != nil {
				s.close(c, werr)
				return
			}
			if w < n {
				// The client is not reading fast enough. Keep the rest and
				// stop reading from this client until it drains.
				c.pending = append([]byte(nil), s.buf[w:n]...)
				if err == io.EOF {
					c.eof = true
				}
				return
			}
		}
		switch {
		case err == nil:
			if s.opts.ShortReadDrains && n < len(s.buf) && !c.hup {
				c.drained = true // the queue was empty at this read: the next edge says when
				return
			}
		case errors.Is(err, tcp.ErrWouldBlock):
			c.drained = true
			return // drained: the next readable edge brings us back
		case err == io.EOF:
			s.close(c, nil) // everything read has been echoed
			return
		default:
			s.close(c, err) // ECONNRESET and friends
			return
		}
	}
	// (3) Budget spent and the socket may still have data: under edge
	// triggering no new event will come for it, so queue it ourselves.
	if !c.queued {
		c.queued = true
		s.ready = append(s.ready, c)
	}
}

// writeSome writes p until done or would-block and returns how much went out.
func writeSome(st *tcp.Stream, p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := st.Write(p[done:])
		done += n
		if errors.Is(err, tcp.ErrWouldBlock) {
			return done, nil
		}
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// close deregisters, then closes (pitfall 8: never the other way round: the fd
// number could be reused by the time Deregister runs).
func (s *Server) close(c *conn, err error) {
	if c.closed {
		return
	}
	c.closed = true
	delete(s.conns, c.tok)
	_ = s.p.Deregister(c.s)
	_ = c.s.Close()
	c.pending = nil
	if err != nil {
		s.log.Debug("closed", "token", c.tok, "err", err)
	} else {
		s.log.Debug("closed", "token", c.tok)
	}
}

func (s *Server) closeAll() {
	for _, c := range s.conns {
		s.close(c, nil)
	}
	if s.ln != nil {
		_ = s.p.Deregister(s.ln)
		_ = s.ln.Close()
	}
	_ = s.reg.Close()
	_ = s.p.Close()
}

// Conns is the number of open connections (call it from Run's goroutine or
// after Run returned).
func (s *Server) Conns() int { return len(s.conns) }
