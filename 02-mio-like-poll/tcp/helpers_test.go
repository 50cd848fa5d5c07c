package tcp_test

import (
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/internal/testutil"
)

// newPoll returns a Poll closed at the end of the test, after arming the
// descriptor-leak check.
func newPoll(t *testing.T) *poll.Poll {
	t.Helper()
	testutil.CheckNoFDLeak(t)
	p, err := poll.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// waitFor polls until src is reported with the interest, and fails the test
// after a few seconds.
func waitFor(t *testing.T, p *poll.Poll, src poll.Source, interest poll.Interest) poll.Event {
	t.Helper()
	const tok = poll.Token(99)
	if err := p.Register(src, tok, interest, poll.Level); err != nil {
		t.Fatalf("Register = %v", err)
	}
	defer p.Deregister(src)
	events := poll.NewEvents(8)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := p.Poll(events, 100*time.Millisecond); err != nil {
			t.Fatalf("Poll = %v", err)
		}
		for ev := range events.All() {
			if ev.Token == tok && (ev.Readable && interest&poll.Readable != 0 || ev.Writable && interest&poll.Writable != 0) {
				return ev
			}
		}
	}
	t.Fatalf("no %v event within 5s", interest)
	return poll.Event{}
}

// connectPair returns a connected client and server stream (and the
// listener), all closed at the end of the test.
func connectPair(t *testing.T, p *poll.Poll) (client, server *tcp.Stream, l *tcp.Listener) {
	t.Helper()
	l, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen = %v", err)
	}
	t.Cleanup(func() { l.Close() })
	client, err = tcp.StartConnect(l.Addr())
	if err != nil {
		t.Fatalf("StartConnect = %v", err)
	}
	t.Cleanup(func() { client.Close() })
	waitFor(t, p, client, poll.Writable)
	if err := client.ConnectResult(); err != nil {
		t.Fatalf("ConnectResult = %v", err)
	}
	waitFor(t, p, l, poll.Readable)
	server, _, err = l.Accept()
	if err != nil {
		t.Fatalf("Accept = %v", err)
	}
	t.Cleanup(func() { server.Close() })
	return client, server, l
}

func writeAll(t *testing.T, s *tcp.Stream, b []byte) {
	t.Helper()
	if n, err := s.Write(b); n != len(b) || err != nil {
		t.Fatalf("Write(%d bytes) = %d, %v", len(b), n, err)
	}
}
