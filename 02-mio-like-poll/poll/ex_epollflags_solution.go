//go:build linux && !ex_epollflags && !ex_epollflags_wrong_nooneshot && !ex_epollflags_wrong_swapped

package poll

import "golang.org/x/sys/unix"

// modeFlags returns the epoll flag that gives a registration its Mode:
// nothing for Level (epoll's default), EPOLLET for Edge, EPOLLONESHOT for
// Oneshot.
//
// Exercise ex_epollflags (docs/02-mio-like-poll.md).
func modeFlags(mode Mode) uint32 {
	switch mode {
	case Edge:
		return unix.EPOLLET
	case Oneshot:
		return unix.EPOLLONESHOT
	}
	return 0
}
