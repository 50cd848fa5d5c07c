package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
)

// spuriousDemo shows events after which the operation still says
// would-block. The readiness was real when the kernel reported it, but by
// the time this handler acts, someone else has consumed it. Here that
// someone is a second event loop watching the same socket (two loops woken
// for one connection: the "thundering herd"). Other causes exist (a client
// that resets before accept; a kernel that reports conservatively), and mio
// and Go's runtime both tell callers to expect them.
func spuriousDemo(stdout io.Writer, log *slog.Logger) error {
	a, err := poll.New()
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := poll.New()
	if err != nil {
		return err
	}
	defer b.Close()
	loops := []struct {
		name string
		p    *poll.Poll
	}{{"loop A", a}, {"loop B", b}}
	var stats struct{ events, spurious int }

	// waitBoth polls each loop once: both report src.
	waitBoth := func(src poll.Source, what string) error {
		for _, lp := range loops {
			if err := lp.p.Register(src, 1, poll.Readable, poll.Level); err != nil {
				return err
			}
		}
		for _, lp := range loops {
			events := poll.NewEvents(4)
			if _, err := lp.p.Poll(events, setupWait); err != nil {
				return err
			}
			for ev := range events.All() {
				log.Debug("event", "loop", lp.name, "ev", ev)
				stats.events++
			}
			fmt.Fprintf(stdout, "%s: %d event: %s readable\n", lp.name, events.Len(), what)
		}
		return nil
	}
	deregister := func(src poll.Source) {
		for _, lp := range loops {
			lp.p.Deregister(src)
		}
	}

	// 1. Two loops watch one listener; one client connects.
	l, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	client, err := tcp.StartConnect(l.Addr())
	if err != nil {
		return err
	}
	defer client.Close()
	if err := waitBoth(l, "listener"); err != nil {
		return err
	}
	var server *tcp.Stream
	for _, lp := range loops {
		s, _, err := l.Accept()
		switch {
		case errors.Is(err, tcp.ErrWouldBlock):
			// The event was real, but the connection is gone: the
			// other loop took it. Not an error: wait for the next event.
			stats.spurious++
			fmt.Fprintf(stdout, "%s: accept: would block (spurious; wait for the next event)\n", lp.name)
		case err != nil:
			return err
		default:
			server = s
			fmt.Fprintf(stdout, "%s: accept: got the connection\n", lp.name)
		}
	}
	deregister(l)
	if server == nil {
		return errors.New("spurious: no loop accepted the connection")
	}
	defer server.Close()

	// 2. Two loops watch one connection; four bytes arrive.
	if _, err := client.Write([]byte("data")); err != nil {
		return err
	}
	if err := waitBoth(server, "connection"); err != nil {
		return err
	}
	buf := make([]byte, 16)
	for _, lp := range loops {
		n, err := server.Read(buf)
		switch {
		case errors.Is(err, tcp.ErrWouldBlock):
			stats.spurious++
			fmt.Fprintf(stdout, "%s: read: would block (spurious; wait for the next event)\n", lp.name)
		case err != nil:
			return err
		default:
			fmt.Fprintf(stdout, "%s: read %q\n", lp.name, buf[:n])
		}
	}
	deregister(server)
	fmt.Fprintf(stdout, "%d events, %d of them spurious: nothing failed, the loops just waited again\n",
		stats.events, stats.spurious)
	return nil
}
