// The grading tests of exercise ex_drain:
//
//	go test -tags ex_drain -run Drain ./02-mio-like-poll/tcp
package tcp_test

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
)

func TestDrainReadsUntilWouldBlock(t *testing.T) {
	p := newPoll(t)
	client, server, _ := connectPair(t, p)
	want := bytes.Repeat([]byte("0123456789"), 1000) // more than one read
	writeAll(t, client, want)
	var got []byte
	// Edge-triggered: one event for the burst (it may arrive in pieces,
	// each with its own edge), then drain each time.
	if err := p.Register(server, 1, poll.Readable, poll.Edge); err != nil {
		t.Fatal(err)
	}
	events := poll.NewEvents(4)
	for range 20 {
		if len(got) == len(want) {
			break
		}
		if _, err := p.Poll(events, 50*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if events.Len() == 0 {
			continue
		}
		b, err := tcp.Drain(server)
		if err != nil {
			t.Fatalf("Drain = %v", err)
		}
		got = append(got, b...)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Drain under edge triggering read %d bytes, want %d: it must read until ErrWouldBlock, or the rest never gets an event", len(got), len(want))
	}
}

func TestDrainReturnsEOFWithTheLastBytes(t *testing.T) {
	p := newPoll(t)
	client, server, _ := connectPair(t, p)
	writeAll(t, client, []byte("last words"))
	client.Shutdown(tcp.ShutWrite)
	waitFor(t, p, server, poll.Readable)
	var got []byte
	var err error
	for range 50 { // FIN may come in its own segment
		var b []byte
		b, err = tcp.Drain(server)
		got = append(got, b...)
		if err != nil {
			break
		}
		waitFor(t, p, server, poll.Readable)
	}
	if string(got) != "last words" || err != io.EOF {
		t.Errorf("Drain = %q, %v, want \"last words\", io.EOF", got, err)
	}
}
