//go:build linux

package main

import (
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// An epoll instance is a kernel object with two lists:
//
//   - the interest list: the descriptors we asked about, each with the
//     events we care about (EPOLLIN, EPOLLOUT, ...) and 64 bits of our own
//     data that the kernel hands back untouched (we put a token in it);
//   - the ready list: the entries of the interest list that became ready.
//     The kernel fills it from the sockets' wakeup callbacks, as packets
//     arrive; epoll_wait copies it out to us, or sleeps until it is non-empty
//     or the timeout expires.
//
// epoll_ctl edits the interest list; epoll_wait reads the ready list.

// token is our name for a registered descriptor. epoll stores it in the
// event's data and returns it with every event, so the loop knows whose
// event it is without a lookup by fd.
type token int32

const (
	tokListener token = iota // the listening socket: readable = a connection to accept
	tokServer                // the server's end of the accepted connection
	tokClient                // the client's end
)

func (t token) String() string {
	switch t {
	case tokListener:
		return "listener"
	case tokServer:
		return "server"
	case tokClient:
		return "client"
	}
	return "token(" + strconv.Itoa(int(t)) + ")"
}

// epollCreate makes a new epoll instance with empty lists. EPOLL_CLOEXEC
// keeps its descriptor from leaking into programs we might exec.
func epollCreate() (int, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return -1, os.NewSyscallError("epoll_create1", err)
	}
	return epfd, nil
}

// epollAdd puts fd on the interest list of epfd, asking for events (a mask of
// EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLET, ...) and tagging them with tok.
//
// If fd is already ready for one of those events, the kernel puts it on the
// ready list straight away, edge-triggered or not: the first epoll_wait after
// registering a writable socket reports it writable.
func epollAdd(epfd, fd int, events uint32, tok token) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(tok)}
	return os.NewSyscallError("epoll_ctl", unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fd, &ev))
}

// epollWait copies at most len(events) entries of the ready list into events
// and returns how many. If the ready list is empty it sleeps until an entry
// arrives or timeout has passed; then it returns 0. A timeout of 0 only
// looks.
//
// epoll_wait counts in milliseconds: we round up, so it never returns before
// the timeout. If a signal interrupts it (EINTR), ignoringEINTR calls it
// again with what is left of the timeout, not the whole of it again.
//
// NOTE: no "wait forever" (timeout -1) here: every wait in this stage is
// bounded. Stage 02's Poll offers Forever.
func epollWait(epfd int, events []unix.EpollEvent, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	n, err := ignoringEINTR(func() (int, error) {
		return unix.EpollWait(epfd, events, millis(time.Until(deadline)))
	})
	if err != nil {
		return 0, os.NewSyscallError("epoll_wait", err)
	}
	return n, nil
}

// millis converts a timeout to epoll_wait's whole milliseconds, rounding
// up (a wait of 0 would only look), and 0 for a timeout already over.
func millis(timeout time.Duration) int {
	if timeout <= 0 {
		return 0
	}
	return int((timeout + time.Millisecond - 1) / time.Millisecond)
}

// eventString spells an event mask the way the trace prints it:
// "readable|writable".
func eventString(events uint32) string {
	var names []string
	for _, f := range []struct {
		bit  uint32
		name string
	}{
		{unix.EPOLLIN, "readable"},
		{unix.EPOLLOUT, "writable"},
		{unix.EPOLLRDHUP, "read-closed"},
		{unix.EPOLLHUP, "hang-up"},
		{unix.EPOLLERR, "error"},
	} {
		if events&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}
