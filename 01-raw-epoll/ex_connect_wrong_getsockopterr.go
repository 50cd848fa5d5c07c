//go:build linux && ex_connect_wrong_getsockopterr

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// connectResult, wrong answer for ex_connect: it asks for SO_ERROR but only
// checks whether getsockopt itself failed; the connect's outcome is the
// value it returned, which this version ignores.
func connectResult(fd int) error {
	_, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	return nil
}
