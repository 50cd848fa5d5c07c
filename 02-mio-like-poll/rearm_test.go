package main

import (
	"errors"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
)

// TestRearmKeepsTheSourceOneshot grades exercise ex_rearm beside TestLab:
// after rearm, the source reports its unread bytes once, as a readable event
// with its own token, and then stays silent again, even when new bytes
// arrive, until the next rearm.
func TestRearmKeepsTheSourceOneshot(t *testing.T) {
	checkNoLeak(t)
	client, server, err := loopbackPair()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	defer server.Close()
	p, err := poll.New()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const tok = poll.Token(7)
	if err := p.Register(server, tok, poll.Readable, poll.Oneshot); err != nil {
		t.Fatal(err)
	}
	defer p.Deregister(server)
	events := poll.NewEvents(8)
	// readableEvents polls once and counts the readable events for tok,
	// failing on any other event.
	readableEvents := func(wait time.Duration) int {
		t.Helper()
		if _, err := p.Poll(events, wait); err != nil {
			t.Fatal(err)
		}
		n := 0
		for ev := range events.All() {
			if ev.Token != tok || !ev.Readable {
				t.Fatalf("after rearm, Poll reported %v, want a readable event for token %d: re-arm with the same token and interest", ev, tok)
			}
			n++
		}
		return n
	}
	read4 := func() {
		t.Helper()
		if n, err := server.Read(make([]byte, 4)); n != 4 || err != nil {
			t.Fatalf("Read = %d, %v; want 4 bytes", n, err)
		}
	}
	send := func(s string) {
		t.Helper()
		if _, err := client.Write([]byte(s)); err != nil && !errors.Is(err, tcp.ErrWouldBlock) {
			t.Fatal(err)
		}
	}

	send("ABCDEFGHIJKL")
	if n := readableEvents(setupWait); n != 1 {
		t.Fatalf("first Poll: %d events, want 1", n)
	}
	read4() // 8 bytes left; oneshot: silent until re-armed
	for round := range 2 {
		if err := rearm(p, server, tok); err != nil {
			t.Fatalf("rearm = %v; want nil (a oneshot source is still registered: Reregister it)", err)
		}
		if n := readableEvents(time.Second); n != 1 {
			t.Fatalf("round %d: after rearm, with bytes unread, Poll reported %d events, want 1: a oneshot source stays silent until Reregister re-arms it", round+1, n)
		}
		read4()
		send("MNOP") // new bytes: a new edge, but the source is oneshot again
		if n := readableEvents(200 * time.Millisecond); n != 0 {
			t.Fatalf("round %d: after the re-armed event, Poll reported %d more events without another rearm, want 0: rearm must keep the source Oneshot", round+1, n)
		}
	}
}
