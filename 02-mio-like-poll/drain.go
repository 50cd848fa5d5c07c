package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
)

// drainSize is what the client sends at once: more than one read takes.
const drainSize = 10000

// drainResult is what one handler managed under edge triggering.
type drainResult struct {
	events, read int
}

// drainDemo sends 10000 bytes to an edge-triggered connection twice: once to
// a handler that reads once per event (4096 bytes), once to a handler that
// reads until would-block (tcp.Drain). The first strands the rest: no new
// data, no new edge, no new event.
func drainDemo(stdout io.Writer, log *slog.Logger) error {
	once := func(s *tcp.Stream) (int, error) {
		buf := make([]byte, 4096)
		n, err := s.Read(buf)
		if errors.Is(err, tcp.ErrWouldBlock) {
			return 0, nil
		}
		return n, err
	}
	drain := func(s *tcp.Stream) (int, error) {
		b, err := tcp.Drain(s)
		return len(b), err
	}
	for _, h := range []struct {
		name   string
		handle func(*tcp.Stream) (int, error)
	}{
		{"one read per event", once},
		{"read until would-block (tcp.Drain)", drain},
	} {
		res, err := runDrain(h.handle, log)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "edge, %-35s events: %d, bytes read: %5d of %d, stranded: %d\n",
			h.name+":", res.events, res.read, drainSize, drainSize-res.read)
	}
	return nil
}

// runDrain sends drainSize bytes and lets handle serve every event, over
// polls that stop once 50ms pass without an event.
func runDrain(handle func(*tcp.Stream) (int, error), log *slog.Logger) (drainResult, error) {
	var res drainResult
	client, server, err := loopbackPair()
	if err != nil {
		return res, err
	}
	defer client.Close()
	defer server.Close()
	p, err := poll.New()
	if err != nil {
		return res, err
	}
	defer p.Close()
	if err := p.Register(server, 1, poll.Readable, poll.Edge); err != nil {
		return res, err
	}
	defer p.Deregister(server)
	if n, err := client.Write(bytes.Repeat([]byte("x"), drainSize)); err != nil || n != drainSize {
		return res, fmt.Errorf("drain: short write %d: %v", n, err)
	}
	events := poll.NewEvents(4)
	wait := setupWait // the first event may take a moment
	for {
		n, err := p.Poll(events, wait)
		if err != nil {
			return res, err
		}
		if n == 0 {
			return res, nil // quiet: whatever is left now is stranded
		}
		wait = 50 * time.Millisecond
		for ev := range events.All() {
			log.Debug("event", "ev", ev)
			res.events++
			n, err := handle(server)
			res.read += n
			if err != nil {
				return res, err
			}
		}
	}
}
