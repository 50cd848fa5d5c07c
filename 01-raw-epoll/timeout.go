//go:build linux

package main

import (
	"time"

	"golang.org/x/sys/unix"
)

// waitEmpty creates an epoll instance, registers nothing, and waits on it for
// timeout. Nothing can become ready, so epoll_wait sleeps for the whole
// timeout and returns 0 events: a timeout is not an error, it is an empty
// answer. Event loops use this to wake up for timers (stage 05 does).
func waitEmpty(timeout time.Duration) (n int, elapsed time.Duration, err error) {
	epfd, err := epollCreate()
	if err != nil {
		return 0, 0, err
	}
	defer closeFD(epfd)
	events := make([]unix.EpollEvent, 1)
	start := time.Now()
	n, err = epollWait(epfd, events, timeout)
	return n, time.Since(start), err
}
