//go:build linux && ex_epollflags_wrong_nooneshot

package poll

import "golang.org/x/sys/unix"

// modeFlags, wrong answer for ex_epollflags: Edge is right, Oneshot is
// forgotten and falls through to level triggering.
func modeFlags(mode Mode) uint32 {
	if mode == Edge {
		return unix.EPOLLET
	}
	return 0
}
