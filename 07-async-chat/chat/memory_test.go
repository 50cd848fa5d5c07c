package chat

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/07-async-chat/channel"
)

// An idle connection's writer, handed one line at a time, allocates
// nothing per message: it keeps its Waiter and its batch in itself. Polled
// by hand on a real socket, whose peer reads every line.
func TestWriterAllocatesNothingPerMessage(t *testing.T) {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	ln, err := ex.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	// Polled by hand, outside any task (the executor's loop never runs):
	// every poll does its system call at once.
	cx := future.NewContext(future.Noop())
	accept := ln.Accept()
	p := accept.Poll(cx)
	for deadline := time.Now().Add(10 * time.Second); !p.IsReady(); p = accept.Poll(cx) {
		if time.Now().After(deadline) {
			t.Fatal("no connection to accept 10 s after the dial")
		}
		time.Sleep(time.Millisecond)
	}
	if p.Value().Err != nil {
		t.Fatal(p.Value().Err)
	}
	st := p.Value().Value
	defer st.Close()
	c := &client{st: st, out: channel.New[[]byte](4)}
	wr := &writer{c: c}
	line := []byte("guest-1: hello\n")
	got := make([]byte, len(line))
	message := func() {
		c.out.TrySend(line) // what deliver does
		c.queued += len(line)
		if p := wr.Poll(cx); p.IsReady() {
			t.Fatalf("the writer ended: %v", p.Value())
		}
		// Written, and waiting for the next line. The peer reads it, so
		// the socket never fills.
		peer.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(peer, got); err != nil || string(got) != string(line) {
			t.Fatalf("the peer read %q, %v; want %q", got, err, line)
		}
	}
	message() // the first one sizes the batch
	if allocs := testing.AllocsPerRun(200, message); allocs != 0 {
		t.Errorf("%v allocations per message in the writer, want 0: it keeps its Waiter and batch in itself", allocs)
	}
}

// A broadcast allocates its line once: every receiver's queue holds the
// same bytes. The hub is driven by hand, with no sockets: its queues are
// what this checks.
func TestBroadcastSharesOneLine(t *testing.T) {
	cfg := Config{}.withDefaults()
	s := &Server{cfg: cfg, log: cfg.Logger, hub: hubState{names: map[string]*client{}}}
	var cs []*client
	for range 3 {
		c := &client{out: channel.New[[]byte](cfg.QueueLines), slot: -1}
		s.join(c)
		cs = append(cs, c)
	}
	s.command(cs[0], "hello")
	var lines [][]byte
	for _, c := range cs[1:] {
		var last []byte
		for {
			line, err := c.out.TryRecv()
			if err != nil {
				break
			}
			last = line
		}
		if string(last) != cs[0].name+": hello\n" {
			t.Fatalf("%s's queue ends with %q, want the broadcast", c.name, last)
		}
		lines = append(lines, last)
	}
	if &lines[0][0] != &lines[1][0] {
		t.Error("the two receivers' queues hold two copies of the broadcast, want one []byte shared by both")
	}
}
