//go:build linux && ex_connect_wrong_errnozero

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// connectResult, wrong answer for ex_connect: it turns SO_ERROR into an
// errno without checking for 0, and unix.Errno(0) is a non-nil error, so a
// connect that worked is reported as failed.
func connectResult(fd int) error {
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	return unix.Errno(soerr)
}
