//go:build linux || freebsd

package tcp

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// acceptCall names the call in errors.
const acceptCall = "accept4"

// socket creates a TCP socket that is non-blocking and close-on-exec from
// birth: one system call, no window in which another goroutine's fork+exec
// could inherit it.
func socket(family int) (int, error) {
	return unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// accept takes a connection off the listen queue, non-blocking and
// close-on-exec from birth (accept4), and returns the peer's address.
//
// It makes the system call itself rather than through unix.Accept4, whose
// sockaddr buffer and result escape to the heap: two garbage objects (144
// bytes) per connection, which an idle server's RSS pays for until the next
// GC. Here the buffer stays on the stack.
func accept(fd int) (int, netip.AddrPort, error) {
	var rsa unix.RawSockaddrAny
	size := uint32(unix.SizeofSockaddrAny)
	nfd, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(&rsa)),
		uintptr(unsafe.Pointer(&size)), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if errno != 0 {
		return -1, netip.AddrPort{}, errno
	}
	return int(nfd), rawAddrPort(&rsa), nil
}

// rawAddrPort reads an IPv4 or IPv6 address and port (in network byte
// order) from a raw sockaddr.
func rawAddrPort(rsa *unix.RawSockaddrAny) netip.AddrPort {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		port := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(port[0])<<8|uint16(port[1]))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		port := (*[2]byte)(unsafe.Pointer(&sa.Port))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(port[0])<<8|uint16(port[1]))
	}
	return netip.AddrPort{}
}
