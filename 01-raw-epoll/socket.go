//go:build linux

package main

import (
	"fmt"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// backlog is the length of the listener's accept queue: connections whose
// handshake the kernel has completed and that wait for accept4.
const backlog = 128

// listen opens a TCP socket listening on addr and returns it with the address
// it is bound to (the real port when addr asked for port 0).
//
// The socket is created non-blocking (SOCK_NONBLOCK): accept4 on it never
// waits for a connection; when none is queued it fails at once with EAGAIN.
// SOCK_CLOEXEC keeps it from leaking into programs we might exec. Both flags
// are set atomically at creation, with no window where another thread could
// fork and inherit a blocking or inheritable descriptor.
func listen(addr netip.AddrPort) (int, netip.AddrPort, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, netip.AddrPort{}, os.NewSyscallError("socket", err)
	}
	fail := func(err error) (int, netip.AddrPort, error) {
		closeFD(fd)
		return -1, netip.AddrPort{}, err
	}
	// SO_REUSEADDR lets a restarted program bind its fixed port while
	// connections from its last run sit in TIME_WAIT. On Linux it does not let
	// two sockets listen on one port: that still fails with EADDRINUSE.
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return fail(os.NewSyscallError("setsockopt", err))
	}
	if err := unix.Bind(fd, sockaddr(addr)); err != nil {
		return fail(fmt.Errorf("bind %v: %w", addr, err)) // "bind 127.0.0.1:7878: address already in use"
	}
	if err := unix.Listen(fd, backlog); err != nil {
		return fail(os.NewSyscallError("listen", err))
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return fail(os.NewSyscallError("getsockname", err))
	}
	return fd, addrPort(sa), nil
}

// accept takes one connection off the listener's accept queue. The new socket
// is non-blocking and close-on-exec from birth (accept4's flags).
//
// When the queue is empty it returns an error wrapping EAGAIN: not a failure,
// it means "no connection now, wait for the next readable event".
func accept(lfd int) (int, netip.AddrPort, error) {
	type accepted struct {
		fd int
		sa unix.Sockaddr
	}
	a, err := ignoringEINTR(func() (accepted, error) {
		fd, sa, err := unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		return accepted{fd, sa}, err
	})
	if err != nil {
		return -1, netip.AddrPort{}, os.NewSyscallError("accept4", err)
	}
	return a.fd, addrPort(a.sa), nil
}

// dial starts a TCP connection to addr and returns at once, long before the
// three-way handshake is over. inProgress reports the usual case: connect
// said EINPROGRESS, "started, not finished". The socket becomes writable when
// the handshake ends, well or badly, and connectResult then tells which.
func dial(addr netip.AddrPort) (fd int, inProgress bool, err error) {
	fd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, false, os.NewSyscallError("socket", err)
	}
	// connect is deliberately not wrapped in ignoringEINTR: an interrupted
	// connect goes on in the background, and calling it again would fail with
	// EALREADY. net/fd_unix.go treats EINTR exactly like EINPROGRESS, and so
	// do we.
	switch err := unix.Connect(fd, sockaddr(addr)); err {
	case nil:
		return fd, false, nil // connected at once; the socket is writable already
	case unix.EINPROGRESS, unix.EINTR:
		return fd, true, nil
	default:
		closeFD(fd)
		return -1, false, fmt.Errorf("connect %v: %w", addr, err)
	}
}

// readFD reads once from fd into p. On a non-blocking socket with nothing to
// read it fails at once with an error wrapping EAGAIN. A return of (0, nil)
// is end of file: the peer closed its side.
func readFD(fd int, p []byte) (int, error) {
	n, err := ignoringEINTR(func() (int, error) { return unix.Read(fd, p) })
	if err != nil {
		return 0, os.NewSyscallError("read", err)
	}
	return n, nil
}

// writeFD writes once from p to fd and may write fewer bytes than len(p)
// (a short write). When the socket's send buffer is full it fails at once
// with an error wrapping EAGAIN.
func writeFD(fd int, p []byte) (int, error) {
	n, err := ignoringEINTR(func() (int, error) { return unix.Write(fd, p) })
	if err != nil {
		return 0, os.NewSyscallError("write", err)
	}
	return n, nil
}

// closeFD closes fd. It is not retried on EINTR: see ignoringEINTR.
func closeFD(fd int) error {
	return os.NewSyscallError("close", unix.Close(fd))
}

// sockaddr converts an IPv4 address and port to the kernel's sockaddr_in.
func sockaddr(ap netip.AddrPort) *unix.SockaddrInet4 {
	return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
}

// addrPort converts a sockaddr from getsockname or accept4 back.
func addrPort(sa unix.Sockaddr) netip.AddrPort {
	if sa4, ok := sa.(*unix.SockaddrInet4); ok {
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), uint16(sa4.Port))
	}
	return netip.AddrPort{}
}
