package loadgen

import (
	"fmt"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// DialFile connects to addr ("127.0.0.1:7878") with a plain socket and wraps
// it in an *os.File. The socket is made non-blocking after the connect, so
// os.NewFile hands it to the Go runtime's poller: reads park the goroutine,
// not a thread, and SetDeadline works. (Compare stage 02's tcp.StartConnect, which
// does the same dance for our own poller.)
func DialFile(addr string) (Conn, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, fmt.Errorf("loadgen: bad address %q: %w", addr, err)
	}
	if !ap.Addr().Is4() {
		return nil, fmt.Errorf("loadgen: bad address %q: only IPv4 here", addr)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	unix.CloseOnExec(fd)
	sa := &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	for {
		err = unix.Connect(fd, sa) // blocking connect: a client may wait here
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("connect %s: %w", addr, os.NewSyscallError("connect", err))
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	return os.NewFile(uintptr(fd), "tcp:"+addr), nil
}

// CloseWrite half-closes c (shutdown(SHUT_WR)) when c is a *os.File from
// DialFile or anything with a CloseWrite method (a *net.TCPConn).
func CloseWrite(c Conn) error {
	switch c := c.(type) {
	case interface{ CloseWrite() error }:
		return c.CloseWrite()
	case *os.File:
		return os.NewSyscallError("shutdown", unix.Shutdown(int(c.Fd()), unix.SHUT_WR))
	}
	return fmt.Errorf("loadgen: %T cannot half-close", c)
}
