package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/internal/demo"
)

// stillBlockConns is how many clients send a request at the same moment.
const stillBlockConns = 3

// slowTerminal is a writer that takes delay for every line, as a terminal
// on a slow link, a full pipe or a congested log disk does. The write blocks
// the goroutine that calls it, and so the whole event loop if the loop
// calls it.
type slowTerminal struct {
	w     io.Writer
	delay time.Duration
}

func (t slowTerminal) println(line string) {
	time.Sleep(t.delay) // the blocking part
	fmt.Fprintf(t.w, "  | %s\n", line)
}

// stillBlockResult holds, per connection, how long after the requests were
// sent the loop answered it.
type stillBlockResult struct {
	replies []time.Duration
}

func (r stillBlockResult) slowest() time.Duration { return slices.Max(r.replies) }

func stillBlockDemo(args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("still-block", flag.ContinueOnError)
	delay := fs.Duration("delay", 100*time.Millisecond, "how long the slow terminal takes per line")
	if err := demo.ParseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *delay < 0 || *delay > 500*time.Millisecond {
		return fmt.Errorf("-delay %v: want 0 to 500ms", *delay)
	}
	term := slowTerminal{w: stdout, delay: *delay}
	for _, worker := range []bool{false, true} {
		how := "println inside the loop"
		if worker {
			how = "println on a worker goroutine"
		}
		fmt.Fprintf(stdout, "%s (%v per line), %d connections send at once:\n", how, *delay, stillBlockConns)
		res, err := runStillBlock(term, worker, log)
		if err != nil {
			return err
		}
		var ds []string
		for _, d := range res.replies {
			ds = append(ds, d.Round(100*time.Microsecond).String())
		}
		fmt.Fprintf(stdout, "  answered after %s; slowest %v\n", strings.Join(ds, ", "), res.slowest().Round(100*time.Microsecond))
	}
	return nil
}

// runStillBlock serves stillBlockConns connections in one loop. Each request
// is printed on the slow terminal and answered "ok". With worker false the
// loop prints the line itself; with worker true it hands the line to a
// worker goroutine and answers at once.
func runStillBlock(term slowTerminal, worker bool, log *slog.Logger) (stillBlockResult, error) {
	res := stillBlockResult{replies: make([]time.Duration, stillBlockConns)}
	p, err := poll.New()
	if err != nil {
		return res, err
	}
	defer p.Close()

	// Tokens: 2i for the server end of connection i, 2i+1 for its client.
	type conn struct{ client, server *tcp.Stream }
	conns := make([]conn, stillBlockConns)
	for i := range conns {
		c, s, err := loopbackPair()
		if err != nil {
			return res, err
		}
		defer c.Close()
		defer s.Close()
		conns[i] = conn{c, s}
		if err := p.Register(s, poll.Token(2*i), poll.Readable, poll.Edge); err != nil {
			return res, err
		}
		defer p.Deregister(s)
		if err := p.Register(c, poll.Token(2*i+1), poll.Readable, poll.Edge); err != nil {
			return res, err
		}
		defer p.Deregister(c)
	}

	// The worker: lines go in through a channel, the loop never waits for
	// the terminal. The buffer holds a line per connection, so the send
	// below does not block either.
	var lines chan string
	var wg sync.WaitGroup
	if worker {
		lines = make(chan string, stillBlockConns)
		wg.Go(func() {
			for line := range lines {
				term.println(line)
			}
		})
	}
	// stopWorker lets the worker finish printing and waits for it, so
	// nothing else writes to the terminal meanwhile.
	stopWorker := func() {
		if worker {
			close(lines)
			wg.Wait()
			worker = false
		}
	}
	defer stopWorker()

	start := time.Now()
	for i, c := range conns {
		if _, err := c.client.Write(fmt.Appendf(nil, "hello from connection %d", i)); err != nil {
			return res, err
		}
	}
	answered := 0
	events := poll.NewEvents(16)
	for answered < stillBlockConns {
		if time.Since(start) > 5*time.Second {
			return res, errors.New("still-block: replies missing after 5s")
		}
		if _, err := p.Poll(events, 100*time.Millisecond); err != nil {
			return res, err
		}
		for ev := range events.All() {
			log.Debug("event", "ev", ev)
			i := int(ev.Token / 2)
			if ev.Token%2 == 1 { // a client: the reply arrived
				if b, err := tcp.Drain(conns[i].client); err != nil {
					return res, err
				} else if len(b) > 0 {
					answered++
				}
				continue
			}
			req, err := tcp.Drain(conns[i].server)
			if err != nil {
				return res, err
			}
			if len(req) == 0 {
				continue // spurious
			}
			if worker {
				lines <- string(req) // hand off; returns at once
			} else {
				term.println(string(req)) // blocks the loop for term.delay
			}
			if _, err := conns[i].server.Write([]byte("ok")); err != nil {
				return res, err
			}
			// When the loop answered is what a remote client sees
			// (plus the network). The clients here live in the same
			// loop, so they would notice even later.
			res.replies[i] = time.Since(start)
		}
	}
	stopWorker()
	return res, nil
}
