package loop

import (
	"io"

	"golang.org/x/sys/unix"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/08-io-uring/uring"
)

// series is a multishot operation (kernel 6.0 and later for recv, 5.19 for
// accept): one SQE, then a CQE with CQEFMore set for every result, until a
// CQE without it ends the series (an error, a cancel, no buffer left).
type series struct {
	l      *Loop
	o      *op   // the SQE in flight (or its ended series, not all read), or nil
	next   int32 // o.cqes[next:] are not read yet
	fd     int32
	accept bool // a multishot accept on listening socket fd; else a recv on fd
}

// prep writes the series' SQE. (A method, not a closure: an idle
// connection keeps its Receiver, and a closure would be one more object.)
func (s *series) prep(sqe *uring.SQE, ud uint64) {
	if s.accept {
		sqe.PrepAccept(int(s.fd), true, ud)
		s.l.ops[uint32(ud)].givesFd = true
		return
	}
	sqe.PrepRecvSelect(int(s.fd), s.l.bufs.Group(), true, ud)
}

// poll returns the next CQE of the series, starting a new series when the
// last one ended and was read; or ok false after storing cx's waker.
func (s *series) poll(cx *future.Context) (c uring.CQE, ok bool) {
	if s.o == nil {
		s.o, s.next = s.l.start(s.prep), 0 // a method value: no closure kept
	}
	o := s.o
	if int(s.next) < len(o.cqes) {
		c = o.cqes[s.next]
		s.next++
		if int(s.next) == len(o.cqes) && o.state == opDone {
			s.l.free(o) // the series' last CQE is read
			s.o = nil
		}
		return c, true
	}
	if s.next > 0 {
		o.cqes, s.next = o.cqes[:0], 0 // all read: reuse the queue's memory
	}
	o.waker = cx.Waker()
	return c, false
}

// unread is how many CQEs wait to be read.
func (s *series) unread() int {
	if s.o == nil {
		return 0
	}
	return len(s.o.cqes) - int(s.next)
}

// stop cancels the series; what it delivered and nobody read is undone
// (buffers back to the kernel, descriptors closed), now or when it comes.
func (s *series) stop() {
	if s.o != nil {
		s.o.cqes = s.o.cqes[s.next:]
		s.l.cancel(s.o)
		s.o = nil
	}
}

// Receiver is a multishot recv: one SQE per connection instead of one per
// message, each arrival in a provided buffer.
//
// The kernel does not wait for us to take the data: while our send is slow,
// CQEs pile up, each holding a buffer. So once maxQueued CQEs wait unread,
// Pace cancels the series (back-pressure: the data waits in the socket, not
// in our buffers), and PollRecv starts a new one when they have been read.
type Receiver struct {
	s       series
	pausing bool // Pace cancelled the series: its -ECANCELED is ours
}

const maxQueued = 4

// RecvMulti returns a multishot receiver on fd. Close it when done; it does
// not close fd.
func (l *Loop) RecvMulti(fd int) *Receiver {
	return &Receiver{s: series{l: l, fd: int32(fd)}}
}

// PollRecv returns the next data in a provided buffer, io.EOF at the end of
// the stream, or another error, with ready true; or ready false after
// storing cx's waker.
func (r *Receiver) PollRecv(cx *future.Context) (b Buf, err error, ready bool) {
	for {
		c, ok := r.s.poll(cx)
		if !ok {
			return Buf{}, nil, false
		}
		switch {
		case c.Flags&uring.CQEFBuffer != 0:
			return Buf{id: uint16(c.Flags >> uring.CQEBufferShift), n: c.Res}, nil, true
		case c.Res == 0:
			return Buf{}, io.EOF, true
		case c.Res == -int32(unix.ECANCELED) && r.pausing:
			r.pausing = false // our own pause ended the series: go on
		case c.Res == -int32(unix.ENOBUFS):
			// Every buffer is in use: wait for a Release, then go on.
			r.s.l.bufWaiters = append(r.s.l.bufWaiters, cx.Waker())
			return Buf{}, nil, false
		case c.Res < 0:
			return Buf{}, errno("recv", c.Res), true
		}
	}
}

// Pace is for a caller that cannot take data now (its send is in flight):
// if maxQueued CQEs wait unread, it pauses the series.
func (r *Receiver) Pace() {
	if !r.pausing && r.s.o != nil && r.s.o.state == opInFlight && r.s.unread() >= maxQueued {
		r.pausing = true
		r.s.l.sqe().PrepCancel(r.s.o.userData(), ignoreUserData)
	}
}

// Close cancels the series. Buffers it delivered and nobody read go back to
// the kernel, now or, for CQEs still to come, when they come.
func (r *Receiver) Close() { r.s.stop() }

// Acceptor is a multishot accept: one SQE for every connection to come.
type Acceptor struct{ s series }

// AcceptMulti returns a multishot acceptor on the listening socket lfd.
func (l *Loop) AcceptMulti(lfd int) *Acceptor {
	return &Acceptor{s: series{l: l, fd: int32(lfd), accept: true}}
}

// PollAccept returns the next connection's descriptor or an error, with
// ready true; or ready false after storing cx's waker.
func (a *Acceptor) PollAccept(cx *future.Context) (fd int, err error, ready bool) {
	c, ok := a.s.poll(cx)
	if !ok {
		return -1, nil, false
	}
	if c.Res < 0 {
		return -1, errno("accept", c.Res), true
	}
	return int(c.Res), nil, true
}

// Close cancels the series; connections it accepted and nobody took are
// closed.
func (a *Acceptor) Close() { a.s.stop() }

// Multishot reports whether this kernel has multishot recv with provided
// buffers (6.0 and later).
func Multishot() bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	major := 0
	for _, c := range u.Release {
		if c < '0' || c > '9' {
			break
		}
		major = major*10 + int(c-'0')
	}
	return major >= 6
}
