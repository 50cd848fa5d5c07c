package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/internal/demo"
)

// The lab: one scenario, run under each mode. Eight bytes arrive at once;
// the handler reads only four per event, as a handler with a small buffer,
// or one that serves connections fairly, would. Then something happens: more
// data arrives (level, edge) or the source is re-armed (oneshot). Counting
// the events shows what each mode promises.
const (
	labPolls   = 5                     // polls per phase
	labWait    = 10 * time.Millisecond // timeout of each poll after the first
	labPerRead = 4                     // bytes read per event
)

// labPhase is what one phase of the lab observed.
type labPhase struct {
	events int // events for the connection
	read   int // bytes read by the handler
	left   int // bytes still unread after the phase
}

type labResult struct {
	mode          poll.Mode
	first, second labPhase
	secondWhat    string // what happened between the phases
}

func labDemo(mode poll.Mode) demo.Func {
	return demo.NoFlags(func(stdout io.Writer, log *slog.Logger) error {
		_, err := runLab(mode, stdout, log)
		return err
	})
}

// runLab runs the scenario under mode, printing each poll to w.
func runLab(mode poll.Mode, w io.Writer, log *slog.Logger) (labResult, error) {
	res := labResult{mode: mode}
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
	const tok = poll.Token(1)
	if err := p.Register(server, tok, poll.Readable, mode); err != nil {
		return res, err
	}
	defer p.Deregister(server)

	unread := 0
	send := func(s string) error {
		if _, err := client.Write([]byte(s)); err != nil {
			return err
		}
		unread += len(s)
		return nil
	}
	fmt.Fprintf(w, "%s: 8 bytes arrive; the handler reads %d per event\n", mode, labPerRead)
	if err := send("ABCDEFGH"); err != nil {
		return res, err
	}
	events := poll.NewEvents(8)
	phase := func(firstWait time.Duration) (labPhase, error) {
		var ph labPhase
		buf := make([]byte, labPerRead)
		for i := range labPolls {
			wait := labWait
			if i == 0 {
				wait = firstWait
			}
			if _, err := p.Poll(events, wait); err != nil {
				return ph, err
			}
			if events.Len() == 0 {
				fmt.Fprintf(w, "  poll %d: no event\n", i+1)
				continue
			}
			for ev := range events.All() {
				log.Debug("event", "ev", ev)
				ph.events++
				n, err := server.Read(buf)
				if errors.Is(err, tcp.ErrWouldBlock) {
					fmt.Fprintf(w, "  poll %d: event (%v), read would block\n", i+1, ev)
					continue
				}
				if err != nil {
					return ph, err
				}
				unread -= n
				ph.read += n
				fmt.Fprintf(w, "  poll %d: event (%v), read %q\n", i+1, ev, buf[:n])
			}
		}
		ph.left = unread
		return ph, nil
	}
	// The first poll may wait for the bytes to travel; the later ones only
	// check briefly, since nothing new is on its way. (The 8 bytes are
	// one write, one segment: when the first event comes, all are here.)
	if res.first, err = phase(setupWait); err != nil {
		return res, err
	}
	printPhase(w, res.first)

	switch mode {
	case poll.Oneshot:
		res.secondWhat = "Reregister re-arms it"
		fmt.Fprintf(w, "then %s (no new data):\n", res.secondWhat)
		if err := rearm(p, server, tok); err != nil {
			return res, err
		}
	default:
		res.secondWhat = "4 more bytes arrive"
		fmt.Fprintf(w, "then %s:\n", res.secondWhat)
		if err := send("IJKL"); err != nil {
			return res, err
		}
	}
	// Every mode reports something after this step, so the first poll
	// may again wait a while for the bytes to travel.
	if res.second, err = phase(time.Second); err != nil {
		return res, err
	}
	printPhase(w, res.second)
	return res, nil
}

func printPhase(w io.Writer, ph labPhase) {
	fmt.Fprintf(w, "  => events: %d, bytes read: %d, left unread: %d\n", ph.events, ph.read, ph.left)
}
