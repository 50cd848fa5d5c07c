package tcp

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// ErrWouldBlock is returned by Accept, Read, Write and ConnectResult when
// the kernel says "not now" (EAGAIN): the operation would have to wait. It is
// not a failure. Wait for the next event from your Poll and try again.
// Test for it with errors.Is(err, tcp.ErrWouldBlock).
var ErrWouldBlock = errors.New("tcp: operation would block; wait for the next event")

// errClosed is returned by every method of a closed Listener or Stream.
var errClosed = fmt.Errorf("tcp: use of closed socket: %w", os.ErrClosed)

// Shut says which direction Shutdown closes.
type Shut int

const (
	ShutRead  Shut = unix.SHUT_RD   // no more reads; further data from the peer is dropped
	ShutWrite Shut = unix.SHUT_WR   // send FIN: the peer reads end of file
	ShutBoth  Shut = unix.SHUT_RDWR // both
)

// Stream is a non-blocking TCP connection. Register it with a Poll.
type Stream struct {
	fd    int // the socket; -1 after Close
	local netip.AddrPort
	peer  netip.AddrPort
}

func newStream(fd int, local, peer netip.AddrPort) *Stream {
	return &Stream{fd: fd, local: local, peer: peer}
}

// StartConnect starts connecting to addr and returns at once. The connection is
// usually still in progress (EINPROGRESS is not an error here): register the
// stream for Writable, and when the event comes, call ConnectResult.
func StartConnect(addr netip.AddrPort) (*Stream, error) {
	fd, err := socket(family(addr))
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	switch err := unix.Connect(fd, toSockaddr(addr)); err {
	case nil:
		// Connected at once; rare, but allowed.
	case unix.EINPROGRESS:
		// The normal case for a non-blocking socket: the handshake
		// goes on in the kernel and ends with the socket writable.
	case unix.EINTR:
		// Interrupted by a signal: the connection still goes on in the
		// background (POSIX), exactly as with EINPROGRESS. Calling
		// connect again would fail with EALREADY.
	default:
		unix.Close(fd)
		return nil, os.NewSyscallError("connect "+addr.String(), err)
	}
	return newStream(fd, localAddr(fd), addr), nil
}

// ConnectResult tells how a pending StartConnect ended. Call it when the stream is
// reported writable: nil means connected; an error (for example
// "connect 127.0.0.1:1: connection refused", errors.Is ECONNREFUSED) means
// the connection failed; ErrWouldBlock means it is still in progress (the
// event was spurious), so wait for the next one.
func (s *Stream) ConnectResult() error {
	if s.fd < 0 {
		return errClosed
	}
	// A failed non-blocking connect does not fail any call: the kernel
	// parks the reason in SO_ERROR (and reading it clears it).
	errno, err := unix.GetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	if errno != 0 {
		return os.NewSyscallError("connect "+s.peer.String(), unix.Errno(errno))
	}
	// No error yet is not the same as connected: ask for the peer.
	if _, err := unix.Getpeername(s.fd); err == unix.ENOTCONN {
		return ErrWouldBlock
	} else if err != nil {
		return os.NewSyscallError("getpeername", err)
	}
	s.local = localAddr(s.fd)
	return nil
}

// Read reads what has arrived, up to len(b) bytes. Nothing buffered returns
// (0, ErrWouldBlock): wait for the next Readable event. The peer's orderly
// shutdown returns (0, io.EOF), which is not "no data yet": nothing more will
// ever come.
func (s *Stream) Read(b []byte) (int, error) {
	if s.fd < 0 {
		return 0, errClosed
	}
	if len(b) == 0 {
		return 0, nil
	}
	n, err := ignoringEINTR(func() (int, error) { return unix.Read(s.fd, b) })
	switch {
	case err == nil && n == 0:
		return 0, io.EOF
	case err == nil:
		return n, nil
	case err == unix.EAGAIN:
		return 0, ErrWouldBlock
	default:
		return 0, os.NewSyscallError("read", err)
	}
}

// Write writes as much of b as the send buffer takes and returns how much
// that was: it may be less than len(b) (a short write). A full buffer returns
// (0, ErrWouldBlock): wait for the next Writable event, then write the rest.
func (s *Stream) Write(b []byte) (int, error) {
	if s.fd < 0 {
		return 0, errClosed
	}
	// NOTE: a write to a connection the peer reset raises SIGPIPE on
	// Linux; the Go runtime ignores it for descriptors other than 1 and 2,
	// so the write just fails with EPIPE.
	n, err := ignoringEINTR(func() (int, error) { return unix.Write(s.fd, b) })
	switch {
	case err == nil:
		return n, nil
	case err == unix.EAGAIN:
		return 0, ErrWouldBlock
	default:
		return 0, os.NewSyscallError("write", err)
	}
}

// Shutdown closes one direction of the connection (or both) without
// releasing the descriptor: ShutWrite sends FIN, so the peer reads end of
// file while it can still send to us.
func (s *Stream) Shutdown(how Shut) error {
	if s.fd < 0 {
		return errClosed
	}
	return os.NewSyscallError("shutdown", unix.Shutdown(s.fd, int(how)))
}

// LocalAddr returns this end's address.
func (s *Stream) LocalAddr() netip.AddrPort { return s.local }

// PeerAddr returns the other end's address.
func (s *Stream) PeerAddr() netip.AddrPort { return s.peer }

// Fd returns the socket's descriptor (-1 after Close), so a Stream is a
// poll.Source.
func (s *Stream) Fd() int { return s.fd }

// Close releases the descriptor. Deregister the stream from its Poll first.
// A second Close returns an error wrapping os.ErrClosed and closes nothing:
// by then the number may belong to someone else.
func (s *Stream) Close() error {
	if s.fd < 0 {
		return errClosed
	}
	fd := s.fd
	s.fd = -1
	// NOTE: not retried on EINTR; see poll.Poll.Close.
	return os.NewSyscallError("close", unix.Close(fd))
}
