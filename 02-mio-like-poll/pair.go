package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
)

// setupWait bounds every wait while demos set up their connections.
const setupWait = 5 * time.Second

// loopbackPair returns the two ends of one loopback TCP connection, both
// non-blocking and connected. It runs its own small event loop on a Poll of
// its own, so the demo's Poll starts empty.
func loopbackPair() (client, server *tcp.Stream, err error) {
	l, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	defer l.Close()
	client, err = tcp.StartConnect(l.Addr())
	if err != nil {
		return nil, nil, err
	}
	server, err = acceptOne(l, client)
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return client, server, nil
}

// acceptOne waits, in a Poll of its own, until client is connected and l has
// accepted its connection.
func acceptOne(l *tcp.Listener, client *tcp.Stream) (*tcp.Stream, error) {
	p, err := poll.New()
	if err != nil {
		return nil, err
	}
	defer p.Close()
	const lTok, cTok = 0, 1
	if err := p.Register(l, lTok, poll.Readable, poll.Level); err != nil {
		return nil, err
	}
	defer p.Deregister(l)
	if err := p.Register(client, cTok, poll.Writable, poll.Level); err != nil {
		return nil, err
	}
	defer p.Deregister(client)
	var server *tcp.Stream
	connected := false
	events := poll.NewEvents(4)
	deadline := time.Now().Add(setupWait)
	for server == nil || !connected {
		if time.Now().After(deadline) {
			if server != nil {
				server.Close()
			}
			return nil, fmt.Errorf("loopback connection not ready within %v", setupWait)
		}
		if _, err := p.Poll(events, 100*time.Millisecond); err != nil {
			return nil, err
		}
		for ev := range events.All() {
			switch {
			case ev.Token == lTok && server == nil:
				s, _, err := l.Accept()
				if errors.Is(err, tcp.ErrWouldBlock) {
					continue // spurious: wait for the next event
				}
				if err != nil {
					return nil, err
				}
				server = s
			case ev.Token == cTok && !connected:
				err := client.ConnectResult()
				if errors.Is(err, tcp.ErrWouldBlock) {
					continue
				}
				if err != nil {
					if server != nil {
						server.Close()
					}
					return nil, err
				}
				connected = true
			}
		}
	}
	return server, nil
}
