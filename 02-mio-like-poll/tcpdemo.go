package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/internal/demo"
)

// The blog's tokens: one per source, chosen by us, handed back by Poll.
const (
	serverAccept poll.Token = 0
	serverConn   poll.Token = 1
	clientConn   poll.Token = 2
)

const (
	serverHello = "PING"
	clientHello = "PONG"
)

// side is one end of the conversation: what it still has to write, what it
// has read of the next message, and the message it expects.
type side struct {
	name   string
	s      *tcp.Stream
	out    []byte // not yet written (writes may be short)
	in     []byte // read, not yet a whole message
	expect string // the next message this side must receive
}

// tcpDemo is the blog's examples/tcp.rs on our Poll: a listener, a client
// and the accepted connection in one loop, edge-triggered as in the blog.
// Unlike the blog it handles short reads and writes, and runs -rounds round
// trips instead of stopping after 10ms.
func tcpDemo(args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("tcp", flag.ContinueOnError)
	rounds := fs.Int("rounds", 3, "PING/PONG round trips")
	if err := demo.ParseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *rounds < 1 || *rounds > 100000 {
		return fmt.Errorf("-rounds %d: want 1 to 100000", *rounds)
	}

	p, err := poll.New()
	if err != nil {
		return err
	}
	defer p.Close()
	listener, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer listener.Close()
	if err := p.Register(listener, serverAccept, poll.Readable, poll.Edge); err != nil {
		return err
	}
	defer p.Deregister(listener)

	cs, err := tcp.StartConnect(listener.Addr())
	if err != nil {
		return err
	}
	defer cs.Close()
	// Readable and writable, edge-triggered: the first writable event
	// says the connect finished (or failed).
	if err := p.Register(cs, clientConn, poll.Readable|poll.Writable, poll.Edge); err != nil {
		return err
	}
	defer p.Deregister(cs)
	client := &side{name: "client", s: cs, expect: serverHello}
	connected := false
	var server *side // set once, when the connection is accepted
	defer func() {
		if server != nil {
			p.Deregister(server.s) // deregister before close
			server.s.Close()
		}
	}()

	events := poll.NewEvents(1024)
	start := time.Now()
	deadline := start.Add(5 * time.Second)
	done, nEvents, nPolls := 0, 0, 0
	for done < *rounds {
		if time.Now().After(deadline) {
			return fmt.Errorf("tcp: %d of %d rounds after 5s: stuck", done, *rounds)
		}
		n, err := p.Poll(events, 100*time.Millisecond)
		if err != nil {
			return err
		}
		nPolls++
		nEvents += n
		for ev := range events.All() {
			log.Debug("event", "ev", ev)
			switch ev.Token {
			case serverAccept:
				// Edge-triggered: accept until would-block, or a second
				// queued connection would never get its event.
				for {
					s, addr, err := listener.Accept()
					if errors.Is(err, tcp.ErrWouldBlock) {
						break // nothing (more) queued: wait for the next event
					}
					if err != nil {
						return err
					}
					if server != nil {
						s.Close() // this demo talks to one client
						continue
					}
					fmt.Fprintf(stdout, "server: accepted a connection from %v\n", addr.Addr())
					if err := p.Register(s, serverConn, poll.Readable|poll.Writable, poll.Edge); err != nil {
						s.Close()
						return err
					}
					server = &side{name: "server", s: s, out: []byte(serverHello), expect: clientHello}
				}
			case serverConn:
				if err := server.progress(stdout, func(string) {
					done++
					if done < *rounds {
						server.out = append(server.out, serverHello...)
					}
				}); err != nil {
					return err
				}
			case clientConn:
				if !connected {
					err := cs.ConnectResult()
					if errors.Is(err, tcp.ErrWouldBlock) {
						continue // spurious: still connecting
					}
					if err != nil {
						return err
					}
					connected = true
				}
				if err := client.progress(stdout, func(string) {
					client.out = append(client.out, clientHello...)
				}); err != nil {
					return err
				}
			}
		}
	}
	fmt.Fprintf(stdout, "%d PING/PONG rounds in %v: %d events from %d Poll calls\n",
		done, time.Since(start).Round(10*time.Microsecond), nEvents, nPolls)
	return nil
}

// progress does all the I/O a side can do now: write what is pending, read
// what has arrived, and repeat while a received message produced something
// new to write. Under edge triggering this is the whole job: stop only at
// would-block, because the kernel will not say "writable" or "readable"
// again for readiness it already reported.
func (sd *side) progress(stdout io.Writer, received func(msg string)) error {
	buf := make([]byte, 512)
	for {
		// Write what is pending; a short write leaves the rest in out.
		for len(sd.out) > 0 {
			n, err := sd.s.Write(sd.out)
			if errors.Is(err, tcp.ErrWouldBlock) {
				break // the send buffer is full: wait for the next writable edge
			}
			if err != nil {
				return fmt.Errorf("%s: %w", sd.name, err)
			}
			fmt.Fprintf(stdout, "%s wrote %q\n", sd.name, sd.out[:n])
			sd.out = sd.out[n:]
		}
		// Read until would-block.
		n, err := sd.s.Read(buf)
		if errors.Is(err, tcp.ErrWouldBlock) {
			return nil // drained: wait for the next event
		}
		if err != nil {
			return fmt.Errorf("%s: %w", sd.name, err)
		}
		sd.in = append(sd.in, buf[:n]...)
		// One read is not one message: take whole messages only.
		for len(sd.in) >= len(sd.expect) {
			msg := string(sd.in[:len(sd.expect)])
			sd.in = sd.in[len(sd.expect):]
			if msg != sd.expect {
				return fmt.Errorf("%s: received %q, want %q", sd.name, msg, sd.expect)
			}
			fmt.Fprintf(stdout, "%s received %q\n", sd.name, msg)
			received(msg)
		}
	}
}
