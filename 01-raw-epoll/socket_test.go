//go:build linux

package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadOnEmptySocketReturnsEAGAIN(t *testing.T) {
	checkNoLeak(t)
	_, cfd := tcpPair(t)
	buf := make([]byte, 16)
	n, err := readFD(cfd, buf)
	if !errors.Is(err, unix.EAGAIN) || n != 0 {
		t.Fatalf("readFD(empty socket) = %d, %v; want 0, EAGAIN", n, err)
	}
	if got, want := err.Error(), "read: resource temporarily unavailable"; got != want {
		t.Errorf("error text = %q, want %q", got, want)
	}
}

func TestAcceptOnEmptyQueueReturnsEAGAIN(t *testing.T) {
	checkNoLeak(t)
	lfd, _ := listenAtEnd(t)
	fd, _, err := accept(lfd)
	if !errors.Is(err, unix.EAGAIN) {
		closeFD(fd)
		t.Fatalf("accept(empty queue) = %v; want EAGAIN", err)
	}
}

func TestConnectCompletesThroughWritability(t *testing.T) {
	checkNoLeak(t)
	lfd, addr := listenAtEnd(t)
	cfd, inProgress, err := dial(addr)
	if err != nil {
		t.Fatalf("dial(%v) = %v", addr, err)
	}
	closeAtEnd(t, cfd)
	if !inProgress {
		t.Errorf("dial(%v): connect finished at once; want EINPROGRESS", addr)
	}
	ev := waitFor(t, cfd, unix.EPOLLOUT)
	if ev&unix.EPOLLOUT == 0 {
		t.Fatalf("events = %s, want writable", eventString(ev))
	}
	if err := connectResult(cfd); err != nil {
		t.Fatalf("connectResult after writable = %v, want nil (SO_ERROR 0)", err)
	}
	waitFor(t, lfd, unix.EPOLLIN)
	sfd, peer, err := accept(lfd)
	if err != nil {
		t.Fatalf("accept = %v", err)
	}
	closeAtEnd(t, sfd)
	if !peer.Addr().IsLoopback() {
		t.Errorf("accepted peer %v, want a loopback address", peer)
	}
}

func TestConnectRefusedReportedThroughSOError(t *testing.T) {
	checkNoLeak(t)
	// A socket bound but not listening holds a port nobody accepts on:
	// a connect to it is refused, and the port cannot be reused meanwhile.
	hold, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, hold)
	if err := unix.Bind(hold, sockaddr(loopback)); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(hold)
	if err != nil {
		t.Fatal(err)
	}
	addr := addrPort(sa)

	cfd, inProgress, err := dial(addr)
	if err != nil {
		t.Fatalf("dial(%v) = %v; want the refusal reported later, through SO_ERROR", addr, err)
	}
	closeAtEnd(t, cfd)
	if !inProgress {
		t.Errorf("dial(%v): connect finished at once; want EINPROGRESS", addr)
	}
	ev := waitFor(t, cfd, unix.EPOLLOUT)
	t.Logf("events on a refused connect: %s", eventString(ev))
	err = connectResult(cfd)
	if !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("connectResult(refused connect) = %v, want ECONNREFUSED", err)
	}
	if got, want := err.Error(), "connection refused"; got != want {
		t.Errorf("error text = %q, want %q", got, want)
	}
}

func TestListenOnPortInUseFailsClearly(t *testing.T) {
	checkNoLeak(t)
	_, addr := listenAtEnd(t)
	fd, _, err := listen(addr)
	if err == nil {
		closeFD(fd)
		t.Fatalf("listen(%v) twice succeeded; want EADDRINUSE", addr)
	}
	if !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("listen(%v) twice = %v; want errors.Is(err, EADDRINUSE)", addr, err)
	}
	if got, want := err.Error(), fmt.Sprintf("bind %v: address already in use", addr); got != want {
		t.Errorf("error text = %q, want %q", got, want)
	}
}

func TestParseAddr(t *testing.T) {
	for _, tt := range []struct {
		in, wantErr string // wantErr "" means valid
	}{
		{"127.0.0.1:0", ""},
		{"127.1.2.3:8080", ""},
		{"localhost:8080", "want a numeric IPv4 address and a port"},
		{"127.0.0.1", "want a numeric IPv4 address and a port"},
		{"127.0.0.1:99999", "want a numeric IPv4 address and a port"},
		{"", "want a numeric IPv4 address and a port"},
		{"[::1]:0", "IPv6 is not supported"},
		{"0.0.0.0:0", "not a loopback address"},
		{"192.168.1.10:7878", "not a loopback address"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			_, err := parseAddr(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("parseAddr(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("parseAddr(%q) = nil error, want %q", tt.in, tt.wantErr)
			}
			if !errors.Is(err, errBadAddress) {
				t.Errorf("parseAddr(%q) = %v; want errors.Is(err, errBadAddress)", tt.in, err)
			}
			prefix := fmt.Sprintf("bad address %q: ", tt.in)
			if msg := err.Error(); !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tt.wantErr) || strings.Contains(msg, "\n") {
				t.Errorf("parseAddr(%q) = %q; want one line starting %q and containing %q", tt.in, msg, prefix, tt.wantErr)
			}
		})
	}
}
