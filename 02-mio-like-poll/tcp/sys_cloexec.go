//go:build linux || freebsd

package tcp

import "golang.org/x/sys/unix"

// acceptCall names the call in errors.
const acceptCall = "accept4"

// socket creates a TCP socket that is non-blocking and close-on-exec from
// birth: one system call, no window in which another goroutine's fork+exec
// could inherit it.
func socket(family int) (int, error) {
	return unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// accept takes a connection off the listen queue, non-blocking and
// close-on-exec from birth (accept4).
func accept(fd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}
