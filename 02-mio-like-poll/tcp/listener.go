package tcp

import (
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// backlog is the listen queue's length; the kernel caps it at somaxconn.
const backlog = 1024

// Listener is a non-blocking listening socket. Register it with a Poll for
// Readable: an event means a connection may be waiting in the listen queue.
type Listener struct {
	fd   int // closed by Close
	addr netip.AddrPort
}

// Listen opens a listening socket on a numeric address such as
// "127.0.0.1:0" (port 0 picks a free port; Addr tells which).
// SO_REUSEADDR lets a restarted server bind while old connections to the
// port sit in TIME_WAIT. A port in use gives an error like
// "bind 127.0.0.1:7878: address already in use", for which
// errors.Is(err, unix.EADDRINUSE) holds.
func Listen(addr string) (*Listener, error) { return ListenConfig{}.Listen(addr) }

// ListenConfig holds options for Listen. The zero value is what Listen does.
// (Added for stage 06, which runs one event loop per core.)
type ListenConfig struct {
	// ReusePort sets SO_REUSEPORT before bind: several sockets, each with
	// the option, may then listen on the same address and port, and the
	// kernel spreads new connections over them (Linux: by a hash of the
	// client's address and port; FreeBSD: SO_REUSEPORT_LB). macOS lets the
	// sockets share the port but does not spread the connections. Only
	// sockets of the same user may join (Linux).
	ReusePort bool
}

// Listen is the package-level Listen with lc's options.
func (lc ListenConfig) Listen(addr string) (*Listener, error) {
	ap, err := parseAddr(addr)
	if err != nil {
		return nil, err
	}
	fd, err := socket(family(ap))
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("setsockopt", err)
	}
	if lc.ReusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, reusePort, 1); err != nil {
			unix.Close(fd)
			return nil, os.NewSyscallError("setsockopt SO_REUSEPORT", err)
		}
	}
	if err := unix.Bind(fd, toSockaddr(ap)); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind "+ap.String(), err)
	}
	if err := unix.Listen(fd, backlog); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("listen "+ap.String(), err)
	}
	return &Listener{fd: fd, addr: localAddr(fd)}, nil
}

// Accept takes one connection off the listen queue and returns it with the
// peer's address. An empty queue returns ErrWouldBlock: wait for the next
// Readable event. That happens even right after an event, when another
// accept already took the connection or the client gave up (a spurious
// event).
func (l *Listener) Accept() (*Stream, netip.AddrPort, error) {
	for {
		var sa unix.Sockaddr
		fd, err := ignoringEINTR(func() (fd int, err error) {
			fd, sa, err = accept(l.fd)
			return fd, err
		})
		switch err {
		case nil:
			peer := fromSockaddr(sa)
			return newStream(fd, localAddr(fd), peer), peer, nil
		case unix.EAGAIN:
			// The listen queue is empty: not an error, wait.
			return nil, netip.AddrPort{}, ErrWouldBlock
		case unix.ECONNABORTED:
			// The client reset the connection while it sat in the
			// queue. That connection is gone, the listener is fine:
			// try the next one.
			continue
		default:
			// EMFILE/ENFILE (out of descriptors) land here. The
			// connection stays queued and the listener stays readable,
			// so a caller that retries at once spins: back off first.
			return nil, netip.AddrPort{}, os.NewSyscallError(acceptCall, err)
		}
	}
}

// Addr returns the address the listener is bound to, with the real port
// when Listen was given port 0.
func (l *Listener) Addr() netip.AddrPort { return l.addr }

// Fd returns the listening descriptor, so a Listener is a poll.Source.
func (l *Listener) Fd() int { return l.fd }

// Close closes the listening socket. Deregister it from its Poll first. A
// second Close returns an error and closes nothing.
func (l *Listener) Close() error {
	if l.fd < 0 {
		return errClosed
	}
	fd := l.fd
	l.fd = -1
	return os.NewSyscallError("close", unix.Close(fd))
}
