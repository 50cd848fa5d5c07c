//go:build linux

package poll

import (
	"os"

	"golang.org/x/sys/unix"
)

// waitCall names the blocking call in errors: "epoll_wait: bad file descriptor".
const waitCall = "epoll_wait"

// rawEvent is the kernel's record: a bit set and 64 bits of caller data.
type rawEvent = unix.EpollEvent

// backend needs no state beyond Poll's own: the kernel keeps the interest
// list and hands the token back in each event, and the kernel's own EEXIST
// and ENOENT are the answers the contract asks for.
//
//lint:ignore U1000 kept so that Poll has the same shape on every OS
type backend struct{}

func (p *Poll) initBackend() {}

func openPoller() (int, error) {
	// EPOLL_CLOEXEC: a child started with os/exec must not inherit it.
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	return fd, os.NewSyscallError("epoll_create1", err)
}

// epollFlags maps an interest and a mode onto the bits of epoll_event.events.
//
// EPOLLRDHUP is always asked for, so a peer's shutdown shows as ReadClosed;
// EPOLLERR and EPOLLHUP are always reported by the kernel, asked or not.
func epollFlags(interest Interest, mode Mode) uint32 {
	flags := uint32(unix.EPOLLRDHUP)
	if interest&Readable != 0 {
		flags |= unix.EPOLLIN
	}
	if interest&Writable != 0 {
		flags |= unix.EPOLLOUT
	}
	return flags | modeFlags(mode)
}

// The token travels through the kernel in epoll_event.data, a 64-bit union.
// x/sys/unix spells that union as two int32 fields, Fd and Pad, so the token
// is split across them and joined again. The kernel never looks inside.
func putToken(ev *unix.EpollEvent, tok Token) {
	ev.Fd = int32(uint32(tok))
	ev.Pad = int32(uint32(tok >> 32))
}

func getToken(ev *unix.EpollEvent) Token {
	return Token(uint32(ev.Fd)) | Token(uint32(ev.Pad))<<32
}

func (p *Poll) ctl(op, fd int, reg registration) error {
	ev := unix.EpollEvent{Events: epollFlags(reg.interest, reg.mode)}
	putToken(&ev, reg.tok)
	return os.NewSyscallError("epoll_ctl", unix.EpollCtl(p.fd, op, fd, &ev))
}

func (p *Poll) ctlAdd(fd int, reg registration) error {
	// The kernel says EEXIST for a descriptor already in the interest list.
	return p.ctl(unix.EPOLL_CTL_ADD, fd, reg)
}

func (p *Poll) ctlMod(fd int, _ registration, _ bool, reg registration) error {
	// The kernel says ENOENT for a descriptor not in the interest list.
	// EPOLL_CTL_MOD also re-arms an EPOLLONESHOT descriptor and re-checks
	// readiness, so a source that is ready now is reported again.
	return p.ctl(unix.EPOLL_CTL_MOD, fd, reg)
}

func (p *Poll) ctlDel(fd int, _ registration, _ bool) error {
	// The event argument is ignored by EPOLL_CTL_DEL since Linux 2.6.9.
	return os.NewSyscallError("epoll_ctl", unix.EpollCtl(p.fd, unix.EPOLL_CTL_DEL, fd, nil))
}

func (p *Poll) wait(raw []rawEvent, ms int) (int, error) {
	n, err := unix.EpollWait(p.fd, raw, ms)
	runTestHookAfterWait()
	return n, err
}

func (p *Poll) translate(raw []rawEvent, out []Event) int {
	for i := range raw {
		bits := raw[i].Events
		out[i] = Event{
			Token:    getToken(&raw[i]),
			Readable: bits&unix.EPOLLIN != 0,
			Writable: bits&unix.EPOLLOUT != 0,
			Error:    bits&unix.EPOLLERR != 0,
			// EPOLLRDHUP: the peer shut down its write side.
			// EPOLLHUP: both directions are gone.
			ReadClosed:  bits&(unix.EPOLLRDHUP|unix.EPOLLHUP) != 0,
			WriteClosed: bits&unix.EPOLLHUP != 0,
		}
	}
	return len(raw)
}
