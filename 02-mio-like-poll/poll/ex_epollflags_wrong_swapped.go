//go:build linux && ex_epollflags_wrong_swapped

package poll

import "golang.org/x/sys/unix"

// modeFlags, wrong answer for ex_epollflags: the two flags swapped.
func modeFlags(mode Mode) uint32 {
	switch mode {
	case Edge:
		return unix.EPOLLONESHOT
	case Oneshot:
		return unix.EPOLLET
	}
	return 0
}
