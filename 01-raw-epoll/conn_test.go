//go:build linux

package main

import (
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestFillReadsUntilEAGAIN(t *testing.T) {
	checkNoLeak(t)
	sfd, cfd := tcpPair(t)
	const sent = "PINGPINGPI" // 10 bytes, read 3 at a time
	writeAll(t, cfd, sent)
	waitFor(t, sfd, unix.EPOLLIN)

	c := newConn("server", sfd, pong, 3, nil)
	n, err := c.fill()
	if err != nil || n != len(sent) {
		t.Fatalf("fill() = %d, %v; want %d, nil: read until EAGAIN, and EAGAIN is \"not now\", not an error (edge-triggered: bytes left behind get no new event)", n, err, len(sent))
	}
	if diff := cmp.Diff(sent, string(c.in)); diff != "" {
		t.Errorf("c.in after fill (-want +got):\n%s", diff)
	}
	// Nothing more to read: EAGAIN is "not now", not an error.
	if n, err := c.fill(); err != nil || n != 0 {
		t.Errorf("fill() on an empty socket = %d, %v; want 0, nil", n, err)
	}
}

func TestFillReportsEOF(t *testing.T) {
	checkNoLeak(t)
	sfd, cfd := tcpPair(t)
	writeAll(t, cfd, "PI")
	if err := unix.Shutdown(cfd, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sfd, unix.EPOLLRDHUP)
	c := newConn("server", sfd, pong, 512, nil)
	n, err := c.fill()
	if !errors.Is(err, io.EOF) || n != 2 || string(c.in) != "PI" {
		t.Errorf("fill() after peer's close = %d, %v, c.in %q; want 2, EOF, \"PI\": a read of 0 bytes is end of file", n, err, c.in)
	}
}

func TestNextMessageWaitsForAWholeMessage(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want []string // messages nextMessage returns, in order
		left string   // what stays in c.in
	}{
		{"nothing", "", nil, ""},
		{"half a message", "PI", nil, "PI"},
		{"one message", "PING", []string{"PING"}, ""},
		{"a message and a half", "PINGPO", []string{"PING"}, "PO"},
		{"two messages in one read", "PINGPING", []string{"PING", "PING"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &conn{in: []byte(tt.in)}
			var got []string
			for range 10 {
				msg, ok := c.nextMessage()
				if !ok {
					break
				}
				got = append(got, msg)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("messages from %q (-want +got): one read is not one message; return whole %d-byte messages only\n%s", tt.in, msgLen, diff)
			}
			if string(c.in) != tt.left {
				t.Errorf("c.in after = %q, want %q: the bytes after the last whole message wait in c.in for the next read", c.in, tt.left)
			}
		})
	}
}

func TestNextMessageAcrossPartialReads(t *testing.T) {
	checkNoLeak(t)
	sfd, cfd := tcpPair(t)
	c := newConn("server", sfd, pong, 512, nil)

	writeAll(t, cfd, "PO")
	waitFor(t, sfd, unix.EPOLLIN)
	if _, err := c.fill(); err != nil {
		t.Fatal(err)
	}
	if msg, ok := c.nextMessage(); ok {
		t.Fatalf("nextMessage() after reading %q = %q, true; want no message yet", "PO", msg)
	}

	writeAll(t, cfd, "NG")
	waitFor(t, sfd, unix.EPOLLIN)
	if _, err := c.fill(); err != nil {
		t.Fatal(err)
	}
	if msg, ok := c.nextMessage(); !ok || msg != pong {
		t.Fatalf("nextMessage() after the second half = %q, %v; want %q, true", msg, ok, pong)
	}
}

func TestFlushWritesAndCounts(t *testing.T) {
	checkNoLeak(t)
	sfd, cfd := tcpPair(t)
	c := newConn("server", sfd, pong, 512, nil)
	c.out = []byte(ping)
	if n, err := c.flush(); err != nil || n != msgLen || len(c.out) != 0 || c.sent != msgLen {
		t.Fatalf("flush() = %d, %v (out %q, sent %d); want %d, nil, all sent", n, err, c.out, c.sent, msgLen)
	}
	waitFor(t, cfd, unix.EPOLLIN)
	buf := make([]byte, 16)
	if n, err := readFD(cfd, buf); err != nil || string(buf[:n]) != ping {
		t.Errorf("peer read %q, %v; want %q", buf[:n], err, ping)
	}
}

// A full send buffer is "not now" too: flush writes what the kernel takes,
// keeps the rest in c.out, and returns no error; once the peer reads, the
// socket turns writable and the next flush goes on from there.
func TestFlushStopsAtEAGAINAndResumes(t *testing.T) {
	checkNoLeak(t)
	sfd, cfd := tcpPair(t)
	c := newConn("server", sfd, pong, 512, nil)
	const size = 32 << 20 // far more than loopback's send and receive buffers
	c.out = make([]byte, size)
	n, err := c.flush()
	if err != nil || n == 0 || n >= size {
		t.Fatalf("flush() of %d bytes into a full socket = %d, %v; want some bytes written, nil (EAGAIN is not an error)", size, n, err)
	}
	if c.sent != n || len(c.out) != size-n {
		t.Fatalf("after flush: sent %d, %d left; want %d sent, %d left", c.sent, len(c.out), n, size-n)
	}
	// The peer reads some; the send buffer has room again.
	buf := make([]byte, 1<<20)
	for range 4 {
		waitFor(t, cfd, unix.EPOLLIN)
		if _, err := readFD(cfd, buf); err != nil {
			t.Fatalf("peer read: %v", err)
		}
	}
	waitFor(t, sfd, unix.EPOLLOUT)
	if more, err := c.flush(); err != nil || more == 0 {
		t.Errorf("flush() after the peer read = %d, %v; want more bytes written, nil", more, err)
	}
}
