//go:build linux

package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// config is what the exchange demo's flags set.
type config struct {
	addr     netip.AddrPort // where the server listens; port 0 = any free port
	rounds   int            // PING/PONG round trips to do; 0 = as many as fit in duration
	duration time.Duration  // the exchange stops after this long, rounds done or not
	chunk    int            // most bytes one read returns (tests make it 1)
	trace    io.Writer      // nil, or where to print each event, read and write
}

// stats is what the summary reports.
type stats struct {
	addr    netip.AddrPort // the address the server listened on
	rounds  int            // PONGs the server received and checked
	waits   int            // epoll_wait calls
	events  int            // events those calls returned
	toPeer  [2]int         // bytes written: [0] by the server, [1] by the client
	fromNet [2]int         // bytes read: [0] by the server, [1] by the client
	elapsed time.Duration
}

// exchange is the whole program's state: one epoll instance, one listener,
// and the two ends of one connection, all driven by one goroutine.
type exchange struct {
	cfg       config
	epfd      int       // the epoll instance; -1 until created
	lfd       int       // the listening socket; -1 until created
	server    *conn     // nil until accepted
	client    *conn     // nil until dialled
	connected bool      // the client's connect has completed
	deadline  time.Time // when the exchange stops, whatever the rounds
	stats
}

// runExchange runs the PING/PONG exchange described by cfg and reports what
// happened. Every descriptor it opened is closed when it returns, whether it
// succeeded or not.
func runExchange(cfg config) (stats, error) {
	x := &exchange{cfg: cfg, epfd: -1, lfd: -1}
	start := time.Now()
	x.deadline = start.Add(cfg.duration)
	err := x.setup()
	if err == nil {
		err = x.loop()
	}
	x.elapsed = time.Since(start)
	x.close()
	for i, c := range []*conn{x.server, x.client} {
		if c != nil {
			x.toPeer[i], x.fromNet[i] = c.sent, c.got
		}
	}
	return x.stats, err
}

// setup creates the epoll instance, the listener and the client socket, and
// registers them. Nothing waits here: the client's connect only starts.
func (x *exchange) setup() error {
	var err error
	// An epoll instance: an empty interest list and an empty ready list.
	if x.epfd, err = epollCreate(); err != nil {
		return err
	}
	// The listener is readable when a connection waits in its accept queue.
	if x.lfd, x.addr, err = listen(x.cfg.addr); err != nil {
		return err
	}
	if err := epollAdd(x.epfd, x.lfd, unix.EPOLLIN|unix.EPOLLET, tokListener); err != nil {
		return err
	}
	// The client's connect returns EINPROGRESS at once; the socket turns
	// writable when the handshake is over, which the loop will hear about.
	fd, inProgress, err := dial(x.addr)
	if err != nil {
		return err
	}
	x.client = newConn("client", fd, ping, x.cfg.chunk, x.cfg.trace)
	x.tracef("listening on %v; client connect: in progress = %v", x.addr, inProgress)
	return epollAdd(x.epfd, fd, unix.EPOLLIN|unix.EPOLLOUT|unix.EPOLLRDHUP|unix.EPOLLET, tokClient)
}

// loop is the event loop: wait for readiness, then do the I/O each ready
// socket allows, until the rounds are done or the time is up.
func (x *exchange) loop() error {
	events := make([]unix.EpollEvent, 8) // epoll_wait copies up to 8 ready entries here
	for x.cfg.rounds == 0 || x.rounds < x.cfg.rounds {
		left := time.Until(x.deadline)
		if left <= 0 {
			if x.cfg.rounds == 0 {
				return nil // "as many rounds as fit": time is up, and that is success
			}
			return fmt.Errorf("only %d of %d rounds done within -duration %v", x.rounds, x.cfg.rounds, x.cfg.duration)
		}
		n, err := epollWait(x.epfd, events, left) // the only place the program waits
		if err != nil {
			return err
		}
		x.waits++
		x.tracef("epoll_wait: %d ready", n)
		for _, ev := range events[:n] {
			x.events++
			tok := token(ev.Fd) // the token we stored with epoll_ctl comes back
			x.tracef("event: %v %v", tok, eventString(ev.Events))
			if err := x.handle(tok, ev.Events); err != nil {
				return err
			}
		}
	}
	return nil
}

// handle reacts to one event. The event says what is possible now (readable,
// writable), not what has happened: the reads and writes are still ours to do.
func (x *exchange) handle(tok token, events uint32) error {
	switch tok {
	case tokListener:
		return x.acceptAll()
	case tokServer:
		return x.progress(x.server)
	case tokClient:
		if !x.connected {
			if events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
				return nil // the handshake is not over yet: wait for the next event
			}
			// Writable means the handshake is over, not that it worked.
			if err := connectResult(x.client.fd); err != nil {
				return fmt.Errorf("connect %v: %w", x.addr, err)
			}
			x.connected = true
			x.client.tracef("connected (SO_ERROR = 0)")
		}
		return x.progress(x.client)
	}
	panic(fmt.Sprintf("01-raw-epoll: event for unknown %v", tok))
}

// acceptAll accepts every connection waiting in the listener's queue. The
// listener is edge-triggered: this event will not be repeated for
// connections we leave queued, so we accept until EAGAIN.
func (x *exchange) acceptAll() error {
	for {
		fd, peer, err := accept(x.lfd)
		switch {
		case errors.Is(err, unix.EAGAIN):
			return nil // queue empty: not now, wait for the next event
		case errors.Is(err, unix.ECONNABORTED):
			continue // the caller gave up while queued; take the next one
		case err != nil:
			return err
		}
		if x.server != nil {
			// NOTE: someone else found a fixed -addr port. This demo
			// talks to one client, its own; strangers are closed at once.
			x.tracef("server: closing an unexpected connection from %v", peer)
			closeFD(fd)
			continue
		}
		x.server = newConn("server", fd, pong, x.cfg.chunk, x.cfg.trace)
		x.server.tracef("accepted %v", peer)
		// The server speaks first. We do not write here: registering the
		// socket, already writable, puts it on the ready list at once, and
		// the write happens on that event.
		x.server.out = append(x.server.out, ping...)
		if err := epollAdd(x.epfd, fd, unix.EPOLLIN|unix.EPOLLOUT|unix.EPOLLRDHUP|unix.EPOLLET, tokServer); err != nil {
			return err
		}
	}
}

// progress does all the I/O c can do right now. Edge-triggered events
// demand it: the event that brought us here will not be repeated for
// readiness we leave unused. So: read until EAGAIN, act on each whole
// message (which may queue a reply), then write until everything queued is
// gone or EAGAIN. Whatever happens after that (more bytes arriving, room
// freed in the send buffer) is a new edge, and brings a new event.
func (x *exchange) progress(c *conn) error {
	read, err := c.fill()
	if read > 0 {
		c.tracef("read %d bytes", read)
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: peer closed the connection (%d bytes of a message unread)", c.name, len(c.in))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	for {
		msg, ok := c.nextMessage()
		if !ok {
			break // at most part of a message: the rest comes with a later event
		}
		if err := x.received(c, msg); err != nil {
			return err
		}
	}
	if _, err := c.flush(); err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	return nil
}

// received checks one whole message and queues the answer: the client
// answers every PING with a PONG; the server counts a round for every PONG
// and sends the next PING while rounds remain.
func (x *exchange) received(c *conn, msg string) error {
	if msg != c.expect {
		return fmt.Errorf("%s: read %q, want %q", c.name, msg, c.expect)
	}
	c.tracef("received %q, as expected", msg)
	if c == x.client {
		c.out = append(c.out, pong...)
		return nil
	}
	x.rounds++
	if x.cfg.rounds == 0 || x.rounds < x.cfg.rounds {
		c.out = append(c.out, ping...)
	}
	return nil
}

// close closes every descriptor the exchange opened. Closing a socket also
// takes it off every epoll interest list (once no other descriptor refers to
// the same open socket, say after dup or fork), and closing the epoll
// descriptor frees its lists.
func (x *exchange) close() {
	for _, c := range []*conn{x.server, x.client} {
		if c != nil {
			closeFD(c.fd)
		}
	}
	for _, fd := range []int{x.lfd, x.epfd} {
		if fd >= 0 {
			closeFD(fd)
		}
	}
}

func (x *exchange) tracef(format string, args ...any) {
	if x.cfg.trace != nil {
		fmt.Fprintf(x.cfg.trace, format+"\n", args...)
	}
}
