//go:build linux && ex_epollflags

package poll

// modeFlags returns the epoll flag that gives a registration its Mode:
// nothing for Level (epoll's default), EPOLLET for Edge, EPOLLONESHOT for
// Oneshot.
//
// Exercise ex_epollflags (docs/02-mio-like-poll.md). Check your work with:
//
//	go test -tags ex_epollflags -run 'TestModes|TestEpollFlags' ./02-mio-like-poll/poll
func modeFlags(mode Mode) uint32 {
	_ = mode
	return 0 // TODO(ex_epollflags): Edge needs EPOLLET and Oneshot EPOLLONESHOT (golang.org/x/sys/unix).
}
