package testutil

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestFDLimitWithRoom checks each limit by asking the kernel, not /proc,
// which numbers below it are free: exactly room, the highest among them.
func TestFDLimitWithRoom(t *testing.T) {
	isOpen := func(fd int) bool {
		_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		return err != unix.EBADF
	}
	for room := 1; room <= 3; room++ {
		limit := int(FDLimitWithRoom(room))
		free := 0
		for fd := range limit {
			if !isOpen(fd) {
				free++
			}
		}
		if free != room || isOpen(limit-1) {
			t.Errorf("FDLimitWithRoom(%d) = %d: %d numbers below it are free (want %d), the last one open: %v (want false)", room, limit, free, room, isOpen(limit-1))
		}
	}
}
