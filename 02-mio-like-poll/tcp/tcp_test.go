// Tests of the non-blocking Listener and Stream:
//
//	go test -run . -v ./02-mio-like-poll/tcp
package tcp_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestAcceptWouldBlockOnAnEmptyQueue(t *testing.T) {
	newPoll(t)
	l, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Addr().Port() == 0 || l.Addr().Addr() != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("Addr() = %v, want 127.0.0.1 and a real port", l.Addr())
	}
	if _, _, err := l.Accept(); !errors.Is(err, tcp.ErrWouldBlock) {
		t.Errorf("Accept() on an empty queue = %v, want ErrWouldBlock", err)
	}
}

func TestPingPongAndAddresses(t *testing.T) {
	p := newPoll(t)
	client, server, l := connectPair(t, p)
	if server.LocalAddr() != l.Addr() || client.PeerAddr() != l.Addr() {
		t.Errorf("server.LocalAddr() = %v, client.PeerAddr() = %v, want both %v", server.LocalAddr(), client.PeerAddr(), l.Addr())
	}
	if server.PeerAddr() != client.LocalAddr() {
		t.Errorf("server.PeerAddr() = %v, client.LocalAddr() = %v, want equal", server.PeerAddr(), client.LocalAddr())
	}

	buf := make([]byte, 16)
	if _, err := server.Read(buf); !errors.Is(err, tcp.ErrWouldBlock) {
		t.Errorf("Read with nothing sent = %v, want ErrWouldBlock", err)
	}
	writeAll(t, server, []byte("PING"))
	waitFor(t, p, client, poll.Readable)
	if n, err := client.Read(buf); string(buf[:n]) != "PING" || err != nil {
		t.Errorf("client Read = %q, %v, want PING", buf[:n], err)
	}
	writeAll(t, client, []byte("PONG"))
	waitFor(t, p, server, poll.Readable)
	if n, err := server.Read(buf); string(buf[:n]) != "PONG" || err != nil {
		t.Errorf("server Read = %q, %v, want PONG", buf[:n], err)
	}
}

func TestEOFIsNotWouldBlock(t *testing.T) {
	p := newPoll(t)
	client, server, _ := connectPair(t, p)
	if err := client.Shutdown(tcp.ShutWrite); err != nil {
		t.Fatalf("Shutdown(ShutWrite) = %v", err)
	}
	ev := waitFor(t, p, server, poll.Readable)
	if !ev.ReadClosed {
		t.Errorf("event after the peer's FIN = %v, want read-closed", ev)
	}
	buf := make([]byte, 4)
	if n, err := server.Read(buf); n != 0 || err != io.EOF {
		t.Errorf("Read after the peer's FIN = %d, %v, want 0, io.EOF", n, err)
	}
	// Half-closed: the server can still talk to the client.
	writeAll(t, server, []byte("bye"))
	waitFor(t, p, client, poll.Readable)
	if n, err := client.Read(buf); string(buf[:n]) != "bye" || err != nil {
		t.Errorf("client Read after its own ShutWrite = %q, %v, want bye", buf[:n], err)
	}
}

func TestConnectRefusedShowsInSOError(t *testing.T) {
	p := newPoll(t)
	l, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr()
	l.Close() // nobody listens there now
	s, err := tcp.StartConnect(addr)
	if err == nil {
		defer s.Close()
		// The usual path: connect said EINPROGRESS, the refusal
		// arrives later and the socket becomes writable, with the
		// error flag set: the event says "over, and not well".
		// (Checked on epoll, which sets EPOLLERR; kqueue's EV_EOF
		// with an errno in fflags is not verified here.)
		ev := waitFor(t, p, s, poll.Writable)
		if runtime.GOOS == "linux" && !ev.Error {
			t.Errorf("event for a refused connect = %v, want the error flag", ev)
		}
		err = s.ConnectResult()
	}
	if !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("connect to a closed port: %v, want ECONNREFUSED", err)
	}
	if want := "connect " + addr.String() + ": connection refused"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestAddressErrors(t *testing.T) {
	newPoll(t)
	_, err := tcp.Listen("x")
	if err == nil || !strings.HasPrefix(err.Error(), `tcp: bad address "x": `) {
		t.Errorf(`Listen("x") = %v, want tcp: bad address "x": ...`, err)
	}
	l, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l2, err := tcp.Listen(l.Addr().String())
	if err == nil {
		l2.Close()
		t.Fatalf("Listen on a port in use succeeded")
	}
	if !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("Listen on a port in use = %v, want errors.Is EADDRINUSE", err)
	}
	if want := "bind " + l.Addr().String() + ": address already in use"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestDoubleCloseNeverClosesAReusedDescriptor(t *testing.T) {
	p := newPoll(t)
	client, _, _ := connectPair(t, p)
	fd := client.Fd()
	if err := client.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	// The lowest free number is reused at once: this pipe likely gets fd.
	var pipe [2]int
	if err := unix.Pipe(pipe[:]); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pipe[0])
	defer unix.Close(pipe[1])
	if err := client.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close = %v, want an error wrapping os.ErrClosed", err)
	}
	if client.Fd() != -1 {
		t.Errorf("Fd() after Close = %d, want -1", client.Fd())
	}
	for _, f := range pipe {
		if _, err := unix.FcntlInt(uintptr(f), unix.F_GETFD, 0); err != nil {
			t.Errorf("descriptor %d (old stream had %d) closed by the second Close: %v", f, fd, err)
		}
	}
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Read after Close = %v, want os.ErrClosed", err)
	}
}

// A short write: the send buffer fills, Write reports ErrWouldBlock, and a
// Writable event later says there is room again.
func TestWriteWouldBlockWhenTheBufferIsFull(t *testing.T) {
	p := newPoll(t)
	client, server, _ := connectPair(t, p)
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	sent := 0
	for {
		n, err := client.Write(chunk)
		sent += n
		if errors.Is(err, tcp.ErrWouldBlock) {
			break
		}
		if err != nil {
			t.Fatalf("Write = %v", err)
		}
		if sent > 64<<20 {
			t.Fatal("wrote 64 MiB without would-block")
		}
	}
	got, err := tcp.Drain(server)
	if err != nil || len(got) == 0 {
		t.Fatalf("Drain = %d bytes, %v", len(got), err)
	}
	waitFor(t, p, client, poll.Writable)
	if n, err := client.Write([]byte("y")); n != 1 || err != nil {
		t.Errorf("Write after Writable = %d, %v, want 1, nil", n, err)
	}
}

// package net as an independent client: our Listener speaks plain TCP.
func TestNetClientTalksToListener(t *testing.T) {
	p := newPoll(t)
	l, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	conn, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, p, l, poll.Readable)
	s, peer, err := l.Accept()
	if err != nil {
		t.Fatalf("Accept = %v", err)
	}
	defer s.Close()
	if peer.String() != conn.LocalAddr().String() {
		t.Errorf("Accept peer = %v, want %v", peer, conn.LocalAddr())
	}
	waitFor(t, p, s, poll.Readable)
	got, err := tcp.Drain(s)
	if string(got) != "hello" || err != nil {
		t.Errorf("Drain = %q, %v, want hello", got, err)
	}
	testutil.Within(t, 5*time.Second, "net client read", func() {
		s.Write([]byte("world"))
		buf := make([]byte, 5)
		conn.SetReadDeadline(time.Now().Add(4 * time.Second))
		if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "world" {
			t.Errorf("net client read %q, %v, want world", buf, err)
		}
	})
}

// TestReusePortSharesThePort: two listeners with ListenConfig.ReusePort on
// one port; every connection is accepted by one of them, and on Linux the
// kernel spreads them over both (all 64 on one: a chance of 2^-63).
func TestReusePortSharesThePort(t *testing.T) {
	p := newPoll(t)
	lc := tcp.ListenConfig{ReusePort: true}
	a, err := lc.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := lc.Listen(a.Addr().String())
	if err != nil {
		t.Fatalf("second ReusePort listener on %v: %v", a.Addr(), err)
	}
	defer b.Close()
	if plain, err := tcp.Listen(a.Addr().String()); err == nil {
		plain.Close()
		t.Errorf("a listener without ReusePort joined the port")
	}
	const n = 64
	for range n {
		c, err := net.DialTimeout("tcp", a.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	got := map[*tcp.Listener]int{}
	deadline := time.Now().Add(10 * time.Second)
	for got[a]+got[b] < n && time.Now().Before(deadline) {
		for _, l := range []*tcp.Listener{a, b} {
			s, _, err := l.Accept()
			if errors.Is(err, tcp.ErrWouldBlock) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			got[l]++
		}
		if got[a]+got[b] < n {
			_, _ = p.Poll(poll.NewEvents(1), 10*time.Millisecond) // a short pause
		}
	}
	t.Logf("accepted: %d by the first listener, %d by the second", got[a], got[b])
	if got[a]+got[b] != n {
		t.Fatalf("accepted %d connections, want %d", got[a]+got[b], n)
	}
	if runtime.GOOS == "linux" && (got[a] == 0 || got[b] == 0) {
		t.Errorf("all %d connections went to one listener; the kernel should spread them", n)
	}
}
