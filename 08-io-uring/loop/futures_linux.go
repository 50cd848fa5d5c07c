package loop

import (
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/08-io-uring/uring"
)

// Result is stage 05's: a value or an error.
type Result[T any] = executor.Result[T]

// ErrTimeout: an operation's idle limit passed before it completed.
var ErrTimeout = executor.ErrTimeout

// opFuture is the future of one operation. Its first poll writes the SQE;
// every poll until the CQE stores the waker; the poll after the CQE turns the
// CQE into a value and frees the operation.
type opFuture[T any] struct {
	l      *Loop
	o      *op
	idle   time.Duration // > 0: a LINK_TIMEOUT cancels the operation after this
	prep   func(s *uring.SQE, userData uint64)
	result func(c uring.CQE, o *op) T
	done   bool
}

func (f *opFuture[T]) Poll(cx *future.Context) future.Poll[T] {
	if f.done {
		panic("loop: operation future polled after it was ready")
	}
	if f.o == nil {
		f.o = f.l.start(f.prep)
		if f.idle > 0 {
			f.l.linkTimeout(f.o, f.idle)
		}
	}
	if f.o.state != opDone {
		// The waker goes where complete() will find it. If no CQE ever
		// comes, nothing wakes this task: every SQE gets its CQE, which is
		// io_uring's promise (and why the loop must reap them all).
		f.o.waker = cx.Waker()
		return future.Pending[T]()
	}
	v := f.result(f.o.cqes[0], f.o)
	f.l.free(f.o)
	f.o, f.done = nil, true
	return future.PollReady(v)
}

// Drop cancels an operation in flight; the loop keeps its buffer until the
// CQE (see the package doc, "Who owns a buffer").
func (f *opFuture[T]) Drop() {
	if f.o != nil {
		f.l.cancel(f.o)
		f.o = nil
	}
}

// linkTimeout marks o's SQE (the last one written) as linked to a
// LINK_TIMEOUT SQE that follows it.
func (l *Loop) linkTimeout(o *op, d time.Duration) {
	// The SQE just written is the op's: set its link flag before the
	// timeout SQE is taken, so both go to the kernel in the same Enter.
	l.ring.LastSQE().Flags |= uring.SQEIOLink
	o.ts = unix.NsecToTimespec(d.Nanoseconds())
	o.linked = true
	l.sqe().PrepLinkTimeout(&o.ts, ignoreUserData)
}

// errno turns a negative Res into an error named after the call.
func errno(call string, res int32) error {
	return os.NewSyscallError(call, unix.Errno(-res))
}

// Accept returns a future of the next connection on the listening socket
// lfd: its descriptor.
func (l *Loop) Accept(lfd int) future.Future[Result[int]] {
	return &opFuture[Result[int]]{
		l: l,
		prep: func(s *uring.SQE, ud uint64) {
			s.PrepAccept(lfd, false, ud)
			l.ops[uint32(ud)].givesFd = true
		},
		result: func(c uring.CQE, _ *op) Result[int] {
			if c.Res < 0 {
				return Result[int]{Err: errno("accept", c.Res)}
			}
			return Result[int]{Value: int(c.Res)}
		},
	}
}

// Buf is a provided buffer with data in it, owned by whoever holds the Buf:
// read it with Bytes, then Release it or pass it to SendBuf.
type Buf struct {
	id uint16
	n  int32
}

// Len returns how many bytes of data the buffer holds.
func (b Buf) Len() int { return int(b.n) }

// Bytes returns the data in b. Valid until b is released.
func (l *Loop) Bytes(b Buf) []byte { return l.bufs.Buf(b.id)[:b.n] }

// Release offers b to the kernel again for the next Recv.
func (l *Loop) Release(b Buf) { l.recycle(b.id) }

// Recv returns a future of the next data on fd, in a provided buffer the
// kernel picks when the data arrives (so a connection waiting here holds no
// buffer), or io.EOF when the peer closed its side. With idle > 0 it fails
// with ErrTimeout if no data comes for that long.
func (l *Loop) Recv(fd int, idle time.Duration) future.Future[Result[Buf]] {
	return &recvFuture{l: l, fd: fd, idle: idle}
}

// recvFuture is Recv: an opFuture that starts again when the kernel had no
// free buffer (ENOBUFS), once one is released.
type recvFuture struct {
	l    *Loop
	fd   int
	idle time.Duration
	op   *opFuture[Result[Buf]]
}

func (f *recvFuture) Poll(cx *future.Context) future.Poll[Result[Buf]] {
	if f.op == nil {
		f.op = &opFuture[Result[Buf]]{
			l: f.l, idle: f.idle,
			prep:   func(s *uring.SQE, ud uint64) { s.PrepRecvSelect(f.fd, f.l.bufs.Group(), false, ud) },
			result: recvResult,
		}
	}
	p := f.op.Poll(cx)
	if !p.IsReady() {
		return p
	}
	if r := p.Value(); r.Err == errNoBuffer {
		// Every buffer is in use (held by connections whose sends are slow):
		// wait for a Release, then ask again. This is the back-pressure of
		// provided buffers: the kernel will not take data it has no room for.
		f.op = nil
		f.l.bufWaiters = append(f.l.bufWaiters, cx.Waker())
		return future.Pending[Result[Buf]]()
	}
	return p
}

func (f *recvFuture) Drop() {
	if f.op != nil {
		f.op.Drop()
	}
}

var errNoBuffer = os.NewSyscallError("recv", unix.ENOBUFS)

func recvResult(c uring.CQE, o *op) Result[Buf] {
	switch {
	case c.Res == -int32(unix.ENOBUFS):
		return Result[Buf]{Err: errNoBuffer}
	case c.Res == -int32(unix.ECANCELED) && o.linked:
		return Result[Buf]{Err: ErrTimeout}
	case c.Res < 0:
		return Result[Buf]{Err: errno("recv", c.Res)}
	case c.Res == 0:
		return Result[Buf]{Err: io.EOF}
	case c.Flags&uring.CQEFBuffer == 0:
		panic("loop: recv CQE with data but no provided buffer")
	}
	return Result[Buf]{Value: Buf{id: uint16(c.Flags >> uring.CQEBufferShift), n: c.Res}}
}

// SendBuf returns a future of one send of b's data from byte from on.
// Ownership of b passes to the operation: until the future is ready the kernel
// may read b at any moment, so do not touch or release b. If the future is
// dropped first, the loop releases b when the send's CQE comes. When it is
// ready, b is the caller's again. The send may be short.
func (l *Loop) SendBuf(fd int, b Buf, from int, idle time.Duration) future.Future[Result[int]] {
	return &opFuture[Result[int]]{
		l: l, idle: idle,
		prep: func(s *uring.SQE, ud uint64) {
			s.PrepSend(fd, l.Bytes(b)[from:], ud)
			l.ops[uint32(ud)].bufID = int32(b.id) // the op owns b now
		},
		result: func(c uring.CQE, o *op) Result[int] {
			o.bufID = -1 // back to the caller
			return sendResult(c, o)
		},
	}
}

// Send returns a future of one send of p, which the kernel may read until the
// future is ready; p is kept alive by the operation until its CQE even if the
// future is dropped.
func (l *Loop) Send(fd int, p []byte, idle time.Duration) future.Future[Result[int]] {
	return &opFuture[Result[int]]{
		l: l, idle: idle,
		prep: func(s *uring.SQE, ud uint64) {
			s.PrepSend(fd, p, ud)
			l.ops[uint32(ud)].pin(p)
		},
		result: sendResult,
	}
}

func sendResult(c uring.CQE, o *op) Result[int] {
	switch {
	case c.Res == -int32(unix.ECANCELED) && o.linked:
		return Result[int]{Err: ErrTimeout}
	case c.Res < 0:
		return Result[int]{Err: errno("send", c.Res)}
	}
	return Result[int]{Value: int(c.Res)}
}

// RecvInto returns a future of one recv into p: the form without provided
// buffers, where the caller's memory is committed for as long as the recv
// waits. io.EOF at end of stream.
func (l *Loop) RecvInto(fd int, p []byte) future.Future[Result[int]] {
	return &opFuture[Result[int]]{
		l: l,
		prep: func(s *uring.SQE, ud uint64) {
			s.PrepRecv(fd, p, ud)
			l.ops[uint32(ud)].pin(p)
		},
		result: func(c uring.CQE, _ *op) Result[int] {
			switch {
			case c.Res < 0:
				return Result[int]{Err: errno("recv", c.Res)}
			case c.Res == 0:
				return Result[int]{Err: io.EOF}
			}
			return Result[int]{Value: int(c.Res)}
		},
	}
}

// ReadAt returns a future of one read of the file fd at offset off into p.
// The kernel reads in the background (its own workers, if the page cache
// misses): no goroutine of ours blocks on the disk, unlike stage 05's
// ReadFile, which needs a pool of worker goroutines.
func (l *Loop) ReadAt(fd int, p []byte, off int64) future.Future[Result[int]] {
	return &opFuture[Result[int]]{
		l: l,
		prep: func(s *uring.SQE, ud uint64) {
			s.PrepRead(fd, p, uint64(off), ud)
			l.ops[uint32(ud)].pin(p)
		},
		result: func(c uring.CQE, _ *op) Result[int] {
			if c.Res < 0 {
				return Result[int]{Err: errno("read", c.Res)}
			}
			return Result[int]{Value: int(c.Res)}
		},
	}
}

// CloseFd returns a future of close(fd), done by the kernel.
func (l *Loop) CloseFd(fd int) future.Future[error] {
	return &opFuture[error]{
		l:    l,
		prep: func(s *uring.SQE, ud uint64) { s.PrepClose(fd, ud) },
		result: func(c uring.CQE, _ *op) error {
			if c.Res < 0 {
				return errno("close", c.Res)
			}
			return nil
		},
	}
}

// Sleep returns a future that is ready after d: an IORING_OP_TIMEOUT, so the
// kernel keeps the timers and the loop keeps no heap. Dropping it cancels it.
func (l *Loop) Sleep(d time.Duration) future.Future[struct{}] {
	return &opFuture[struct{}]{
		l: l,
		prep: func(s *uring.SQE, ud uint64) {
			o := l.ops[uint32(ud)]
			o.ts = unix.NsecToTimespec(d.Nanoseconds())
			s.PrepTimeout(&o.ts, ud)
		},
		result: func(uring.CQE, *op) struct{} { return struct{}{} },
	}
}
