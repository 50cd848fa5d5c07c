//go:build linux && ex_connect

package main

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
	return nil // TODO(ex_connect): writable only means "over"; ask the kernel how it ended (getsockopt SO_ERROR).
}
