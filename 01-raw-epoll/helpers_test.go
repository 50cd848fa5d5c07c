//go:build linux

package main

import (
	"net/netip"
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// loopback is the address every test listens on: any free port.
var loopback = netip.MustParseAddrPort("127.0.0.1:0")

// checkNoLeak warms the runtime's lazy descriptors, then fails the test if
// it ends with more descriptors open than it started with.
func checkNoLeak(t *testing.T) {
	t.Helper()
	testutil.CheckNoFDLeak(t)
}

// closeAtEnd closes fd when the test ends.
func closeAtEnd(t *testing.T, fd int) {
	t.Helper()
	t.Cleanup(func() {
		if err := closeFD(fd); err != nil {
			t.Errorf("closeFD(%d) = %v", fd, err)
		}
	})
}

// listenAtEnd opens a listener on loopback and closes it when the test ends.
func listenAtEnd(t *testing.T) (int, netip.AddrPort) {
	t.Helper()
	lfd, addr, err := listen(loopback)
	if err != nil {
		t.Fatalf("listen(%v) = %v", loopback, err)
	}
	closeAtEnd(t, lfd)
	return lfd, addr
}

// waitFor registers fd in a fresh epoll instance for events (level-triggered)
// and waits at most 5 s for one of them. It returns the events reported.
func waitFor(t *testing.T, fd int, events uint32) uint32 {
	t.Helper()
	epfd, err := epollCreate()
	if err != nil {
		t.Fatal(err)
	}
	defer closeFD(epfd)
	if err := epollAdd(epfd, fd, events, tokClient); err != nil {
		t.Fatal(err)
	}
	ready := make([]unix.EpollEvent, 1)
	n, err := epollWait(epfd, ready, 5*time.Second)
	if err != nil || n != 1 {
		t.Fatalf("epollWait(fd %d, %s, 5s) = %d, %v; want 1 event", fd, eventString(events), n, err)
	}
	if tok := token(ready[0].Fd); tok != tokClient {
		t.Fatalf("event token = %v, want %v", tok, tokClient)
	}
	return ready[0].Events
}

// tcpPair returns the two ends of a loopback TCP connection built with this
// stage's own listen, dial and accept. Both are closed when the test ends.
func tcpPair(t *testing.T) (server, client int) {
	t.Helper()
	lfd, addr := listenAtEnd(t)
	cfd, _, err := dial(addr)
	if err != nil {
		t.Fatalf("dial(%v) = %v", addr, err)
	}
	closeAtEnd(t, cfd)
	waitFor(t, cfd, unix.EPOLLOUT)
	waitFor(t, lfd, unix.EPOLLIN)
	sfd, _, err := accept(lfd)
	if err != nil {
		t.Fatalf("accept = %v", err)
	}
	closeAtEnd(t, sfd)
	return sfd, cfd
}

// writeAll writes s to fd in one write, which must take all of it.
func writeAll(t *testing.T, fd int, s string) {
	t.Helper()
	if n, err := writeFD(fd, []byte(s)); err != nil || n != len(s) {
		t.Fatalf("writeFD(%q) = %d, %v; want %d, nil", s, n, err, len(s))
	}
}
