//go:build linux && !ex_connect && !ex_connect_wrong_errnozero && !ex_connect_wrong_getsockopterr

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// connectResult tells how a non-blocking connect on fd ended. Call it once
// epoll has reported the socket writable (or in error): writability says the
// handshake is over, not that it worked. The outcome waits in the socket's
// pending error, SO_ERROR: 0 means connected; anything else (ECONNREFUSED,
// ETIMEDOUT, EHOSTUNREACH...) is why it failed. Reading SO_ERROR clears it.
//
// Exercise ex_connect (docs/01-raw-epoll.md). Check your work with:
//
//	go test -tags ex_connect -run 'Connect' ./01-raw-epoll
func connectResult(fd int) error {
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return os.NewSyscallError("getsockopt", err)
	}
	if soerr != 0 {
		return unix.Errno(soerr) // e.g. ECONNREFUSED: nobody listens on that port
	}
	return nil
}
