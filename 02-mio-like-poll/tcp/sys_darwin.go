package tcp

import (
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// acceptCall names the call in errors.
const acceptCall = "accept"

// macOS has neither SOCK_NONBLOCK|SOCK_CLOEXEC nor accept4, so the flags are
// set after the fact. syscall.ForkLock keeps a concurrent fork+exec from
// inheriting the descriptor in between (the same dance as net's
// sys_cloexec.go). SO_NOSIGPIPE makes a write to a closed connection fail with
// EPIPE instead of raising SIGPIPE.
func socket(family int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	return fd, setup(fd)
}

func accept(fd int) (int, netip.AddrPort, error) {
	syscall.ForkLock.RLock()
	nfd, sa, err := unix.Accept(fd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	return nfd, fromSockaddr(sa), setup(nfd)
}

func setup(fd int) error {
	err := unix.SetNonblock(fd, true)
	if err == nil {
		err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1)
	}
	if err != nil {
		unix.Close(fd)
	}
	return err
}
