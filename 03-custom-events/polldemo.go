package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/03-custom-events/event"
)

// Tokens of the poll demo's loop.
const (
	tokWake     poll.Token = iota // the user event the I/O worker sets
	tokListener                   // the loopback listener
	tokServer                     // the accepted connection
	tokClient                     // our own client connection
)

// tokenName says which source a token stands for, for the debug log.
func tokenName(tok poll.Token) string {
	switch tok {
	case tokWake:
		return "user event (file I/O done)"
	case tokListener:
		return "listener"
	case tokServer:
		return "server connection"
	case tokClient:
		return "client connection"
	}
	return "unknown"
}

// pollExecutor runs callbacks on the goroutine that polls. The worker does
// not send them on a channel; it appends them to queue and sets the user
// event, so the same Poll call that waits for sockets also wakes up for
// finished file I/O.
type pollExecutor struct {
	p   *poll.Poll
	reg *event.Registration
	set *event.SetReadiness
	log *slog.Logger

	mu    sync.Mutex // guards queue
	queue []func()   // callbacks delivered by the worker, not yet run
}

// deliver is called by the I/O worker: publish the callback, then wake the
// loop. The order matters: a loop woken by Set must find the callback.
func (ex *pollExecutor) deliver(cb func()) {
	ex.mu.Lock()
	ex.queue = append(ex.queue, cb)
	ex.mu.Unlock()
	if err := ex.set.Set(); err != nil {
		// Only after Close, when the loop is gone: nothing to wake.
		ex.log.Warn("poll demo: Set", "err", err)
	}
}

// take empties the queue.
func (ex *pollExecutor) take() []func() {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	q := ex.queue
	ex.queue = nil
	return q
}

// runPoll is the callback file system again, but the executor waits in
// poll.Poll instead of on a channel, so one loop serves a socket too: a
// client on loopback asks the loop for hello.txt by name, and the loop
// answers it from the file system, while it also prints hello.txt and
// missing.txt for itself as the callback demo does.
func runPoll(cfg config) error {
	root, cleanup, err := demoFiles()
	if err != nil {
		return err
	}
	defer cleanup()

	p, err := poll.New()
	if err != nil {
		return err
	}
	defer p.Close()
	reg, set, err := event.New()
	if err != nil {
		return err
	}
	defer reg.Close() // also deregisters
	if err := reg.Register(p, tokWake, poll.Level); err != nil {
		return err
	}
	ex := &pollExecutor{p: p, reg: reg, set: set, log: cfg.log}
	fsys := newFileSystem(root, ex.deliver)
	defer fsys.stop() // deferred after reg.Close, so it runs before it: no Set after Close

	srv, err := startCatServer(p, fsys, cfg)
	if err != nil {
		return err
	}
	defer srv.close()

	// The loop's own work, exactly as in the callback demo.
	for _, name := range []string{"hello.txt", "missing.txt"} {
		catFile(fsys, name, func(text string, err error) {
			if err != nil {
				fmt.Fprintf(cfg.out, "cat %s: error: %v\n", name, err)
				return
			}
			fmt.Fprintf(cfg.out, "cat %s: %q\n", name, text)
		})
	}

	events := poll.NewEvents(16)
	var polls, wakeups, socketEvents int
	for fsys.inflight > 0 || !srv.finished() {
		n, err := p.Poll(events, 5*time.Second)
		polls++
		if err != nil {
			return err
		}
		if n == 0 {
			return errors.New("poll demo: nothing happened for 5s: stuck")
		}
		for ev := range events.All() {
			cfg.log.Debug("event", "poll", polls, "event", ev.String(), "source", tokenName(ev.Token))
			switch ev.Token {
			case tokWake:
				wakeups++
				// Consume the wakeup first; the queue is looked at below,
				// after Clear, so a Set racing with Clear is never missed.
				if err := reg.Clear(); err != nil {
					return err
				}
			default:
				socketEvents++
				if err := srv.handle(ev); err != nil {
					return err
				}
			}
		}
		// Run what the worker delivered. A callback may start more work
		// (open -> read -> close); its result comes back through the queue
		// and a new Set.
		cbs := ex.take()
		if len(cbs) > 0 {
			cfg.log.Debug("running callbacks from the worker", "n", len(cbs))
		}
		for _, cb := range cbs {
			cb()
			fsys.ran()
		}
	}
	fmt.Fprintf(cfg.out, "one loop, one goroutine: %d polls, %d wakeups from the worker, %d socket events\n",
		polls, wakeups, socketEvents)
	return nil
}

// catServer is a tiny protocol on loopback, served by the same loop: the
// client sends a file name and a newline, the server answers with the file
// (through the callback file system) or with "error: ..." and shuts down its
// write side; the client reads to end of file and prints what it got.
type catServer struct {
	p      *poll.Poll
	fsys   *fileSystem
	out    io.Writer
	ln     *tcp.Listener
	client *tcp.Stream // our client, nil once it is done
	conn   *tcp.Stream // the accepted connection, nil before accept or once done

	request  []byte // what conn has sent so far
	asked    bool   // the request is complete and handed to the file system
	response []byte // what the client has read so far
	done     bool   // the client read the whole answer
}

// request is what the client asks for.
const request = "hello.txt\n"

// startCatServer listens on loopback and connects a client to it, both
// registered in p.
func startCatServer(p *poll.Poll, fsys *fileSystem, cfg config) (*catServer, error) {
	ln, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &catServer{p: p, fsys: fsys, out: cfg.out, ln: ln}
	if err := p.Register(ln, tokListener, poll.Readable, poll.Level); err != nil {
		ln.Close()
		return nil, err
	}
	client, err := tcp.StartConnect(ln.Addr())
	if err != nil {
		srv.close()
		return nil, err
	}
	srv.client = client
	// Writable means "the connect finished" (stage 02); Oneshot, because
	// once connected we only want to hear about reading.
	if err := p.Register(client, tokClient, poll.Writable, poll.Oneshot); err != nil {
		client.Close()
		srv.client = nil
		srv.close()
		return nil, err
	}
	return srv, nil
}

func (srv *catServer) finished() bool { return srv.done }

// handle reacts to one socket event.
func (srv *catServer) handle(ev poll.Event) error {
	switch ev.Token {
	case tokListener:
		return srv.accept()
	case tokServer:
		return srv.readRequest()
	case tokClient:
		return srv.clientReady()
	}
	return fmt.Errorf("poll demo: event for unknown token %d", ev.Token)
}

func (srv *catServer) accept() error {
	conn, _, err := srv.ln.Accept()
	if errors.Is(err, tcp.ErrWouldBlock) {
		return nil // spurious: wait for the next event
	}
	if err != nil {
		return err
	}
	if srv.conn != nil {
		conn.Close() // NOTE: one client is all this demo serves
		return nil
	}
	srv.conn = conn
	return srv.p.Register(conn, tokServer, poll.Readable, poll.Level)
}

// readRequest reads the file name; once it has the whole line it asks the
// file system, and the answer goes out from a callback.
func (srv *catServer) readRequest() error {
	if srv.asked {
		return nil
	}
	buf := make([]byte, 256)
	n, err := srv.conn.Read(buf)
	switch {
	case errors.Is(err, tcp.ErrWouldBlock):
		return nil
	case errors.Is(err, io.EOF):
		return errors.New("poll demo: client closed before asking for a file")
	case err != nil:
		return err
	}
	srv.request = append(srv.request, buf[:n]...)
	line, _, ok := bytes.Cut(srv.request, []byte("\n"))
	if !ok {
		return nil // not the whole line yet: wait for the next event
	}
	srv.asked = true
	// Level-triggered readable would keep firing while we wait for the
	// file: stop listening to this connection.
	if err := srv.p.Deregister(srv.conn); err != nil {
		return err
	}
	name := string(line)
	catFile(srv.fsys, name, func(text string, err error) {
		if err != nil {
			text = "error: " + err.Error() + "\n"
		}
		srv.answer(text)
	})
	return nil
}

// answer writes the reply and shuts down the write side, so the client sees
// end of file. NOTE: the reply is a few bytes and the socket buffer is empty,
// so one write normally takes it all; a real server keeps the rest and waits
// for writable (stage 06 does).
func (srv *catServer) answer(text string) {
	n, err := srv.conn.Write([]byte(text))
	if err == nil && n < len(text) {
		err = io.ErrShortWrite
	}
	if err != nil {
		fmt.Fprintf(srv.out, "server: answer: %v\n", err)
	}
	if err := srv.conn.Shutdown(tcp.ShutWrite); err != nil {
		fmt.Fprintf(srv.out, "server: shutdown: %v\n", err)
	}
}

// clientReady: first the connect finished (writable), then the answer came
// in (readable).
func (srv *catServer) clientReady() error {
	if srv.client == nil {
		return nil
	}
	if !srv.askedByClient() {
		if err := srv.client.ConnectResult(); err != nil {
			return fmt.Errorf("poll demo: connect: %w", err)
		}
		// NOTE: ten bytes into an empty socket buffer: one write.
		n, err := srv.client.Write([]byte(request))
		if err == nil && n < len(request) {
			err = io.ErrShortWrite
		}
		if err != nil {
			return fmt.Errorf("poll demo: client write: %w", err)
		}
		srv.response = []byte{} // non-nil: the request is out
		return srv.p.Reregister(srv.client, tokClient, poll.Readable, poll.Level)
	}
	buf := make([]byte, 256)
	for {
		n, err := srv.client.Read(buf)
		srv.response = append(srv.response, buf[:n]...)
		switch {
		case errors.Is(err, tcp.ErrWouldBlock):
			return nil // the rest comes with a later event
		case errors.Is(err, io.EOF):
			fmt.Fprintf(srv.out, "client: asked for %q over loopback, got %q\n", request[:len(request)-1], srv.response)
			srv.done = true
			return srv.closeClient()
		case err != nil:
			return err
		}
	}
}

// askedByClient reports whether the client already sent its request.
func (srv *catServer) askedByClient() bool { return srv.response != nil }

func (srv *catServer) closeClient() error {
	err := errors.Join(srv.p.Deregister(srv.client), srv.client.Close())
	srv.client = nil
	return err
}

// close deregisters and closes whatever is still open (deregister first).
func (srv *catServer) close() {
	if srv.client != nil {
		srv.p.Deregister(srv.client)
		srv.client.Close()
	}
	if srv.conn != nil {
		if !srv.asked {
			srv.p.Deregister(srv.conn)
		}
		srv.conn.Close()
	}
	srv.p.Deregister(srv.ln)
	srv.ln.Close()
}
