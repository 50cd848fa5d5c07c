package loop

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/08-io-uring/uring"
)

// op is one operation in the table: what the reactor knows about an SQE it
// sent and the CQE that will answer it.
type op struct {
	slot  uint32
	gen   uint32 // bumped each time the slot is freed (see userData)
	bufID int32  // a provided buffer this op sends from, -1 if none
	state opState

	// linked: followed by a LINK_TIMEOUT SQE. givesFd: the result is a new
	// descriptor (accept); if the future was dropped, nobody will close it,
	// so the loop does.
	linked, givesFd bool

	// For the task dump: the SQE's opcode and descriptor, and the loop's
	// clock when it was written (see dump_linux.go).
	kind    uint8
	fd      int32
	started uint32

	waker future.Waker // the future waiting for the CQE

	// The result. A multishot operation keeps every CQE until the future
	// takes them; a one-shot one has at most one.
	cqes []uring.CQE

	// What the kernel may touch until the CQE: kept here, so that neither
	// the garbage collector nor a dropped future can let it go early.
	keep *byte // caller memory (a one-shot recv's or a file read's buffer): see pin
	ts   unix.Timespec
}

type opState uint8

const (
	opFree     opState = iota
	opInFlight         // SQE written; its CQE has not come
	opDone             // CQE reaped, result not yet taken by the future
	opOrphaned         // future dropped while in flight: the loop finishes it
)

// ignoreUserData marks SQEs whose CQEs nobody waits for: cancels and link
// timeouts. Their outcome shows in the CQE of the operation they target.
const ignoreUserData = ^uint64(0)

// pin keeps p alive until the CQE. A pointer to its first byte is enough:
// the garbage collector keeps the whole array an inner pointer points into,
// and it costs the op 8 bytes where a slice would cost 24.
func (o *op) pin(p []byte) { o.keep = unsafe.SliceData(p) }

func (o *op) userData() uint64 { return uint64(o.gen)<<32 | uint64(o.slot) }

// sqe returns a free SQE. A full submission ring is not an error: hand the
// queued SQEs to the kernel now (an extra io_uring_enter) and take one.
func (l *Loop) sqe() *uring.SQE {
	for {
		if s := l.ring.NextSQE(); s != nil {
			return s
		}
		if err := l.enter(0); err != nil {
			panic("loop: io_uring_enter failed while the submission ring was full: " + err.Error())
		}
	}
}

// start takes a free op, lets prep fill an SQE for it, and returns it in
// flight. The SQE reaches the kernel at the end of this turn of the loop.
func (l *Loop) start(prep func(s *uring.SQE, userData uint64)) *op {
	o := l.newOp()
	s := l.sqe()
	prep(s, o.userData())
	o.kind, o.fd, o.started = s.Opcode, s.Fd, l.turnMS
	return o
}

func (l *Loop) newOp() *op {
	var o *op
	if n := len(l.freeOps); n > 0 {
		o = l.ops[l.freeOps[n-1]]
		l.freeOps = l.freeOps[:n-1]
	} else {
		o = &op{slot: uint32(len(l.ops))}
		l.ops = append(l.ops, o)
	}
	o.state, o.bufID = opInFlight, -1
	l.live++
	return o
}

// free returns o's slot to the table. The generation moves on, so a CQE
// still naming the old one is recognised as stale (the ABA problem of stage
// 05's tokens, with user_data in the role of the token).
func (l *Loop) free(o *op) {
	o.gen++
	o.state, o.waker, o.keep, o.cqes, o.linked, o.givesFd = opFree, nil, nil, o.cqes[:0], false, false
	l.freeOps = append(l.freeOps, o.slot)
	l.live--
}

// reap takes every CQE in the completion ring.
func (l *Loop) reap() {
	l.stats.Completions += uint64(l.ring.Completions(l.complete))
}

// complete routes one CQE to its operation.
func (l *Loop) complete(c uring.CQE) {
	if l.log != nil {
		l.logCQE(c)
	}
	if c.UserData == ignoreUserData {
		return
	}
	slot, gen := uint32(c.UserData), uint32(c.UserData>>32)
	if int(slot) >= len(l.ops) || l.ops[slot].gen != gen || l.ops[slot].state == opFree {
		l.stats.Stale++
		return
	}
	o := l.ops[slot]
	if c.Flags&uring.CQEFBuffer != 0 {
		l.stats.BuffersHeld++ // until recycle
	}
	last := c.Flags&uring.CQEFMore == 0 // a multishot op goes on while CQEFMore is set
	switch {
	case o == l.wakeOp:
		l.wakeOp = nil
		l.free(o)
		if !l.stopping && c.Res != -int32(unix.ECANCELED) {
			l.armWake()
		}
	case o.state == opOrphaned:
		// Nobody wants this result. But the CQE may carry a provided buffer
		// (a recv that got data before the cancel), or a descriptor (an
		// accept): give the buffer back, or the ring runs dry; close the
		// descriptor. The last CQE also frees the buffer o sent from.
		l.stats.Orphans++
		o.cqes = append(o.cqes[:0], c)
		l.dropDelivered(o)
		if last {
			l.releaseOwned(o)
			l.free(o)
		}
	default:
		o.cqes = append(o.cqes, c)
		if last {
			o.state = opDone
		}
		if o.waker != nil {
			o.waker.Wake()
		}
	}
}

// discard frees an operation whose CQE came but whose result nobody will
// take: the buffers its CQEs carry go back to the kernel, a descriptor it
// accepted is closed.
func (l *Loop) discard(o *op) {
	l.dropDelivered(o)
	l.releaseOwned(o)
	l.free(o)
}

// dropDelivered undoes what the CQEs stored in o delivered: provided
// buffers, accepted descriptors.
func (l *Loop) dropDelivered(o *op) {
	for _, c := range o.cqes {
		if c.Flags&uring.CQEFBuffer != 0 {
			l.recycle(uint16(c.Flags >> uring.CQEBufferShift))
		}
		if o.givesFd && c.Res >= 0 {
			unix.Close(int(c.Res))
		}
	}
	o.cqes = o.cqes[:0]
}

// releaseOwned gives back the provided buffer o was sending from.
func (l *Loop) releaseOwned(o *op) {
	if o.bufID >= 0 {
		l.recycle(uint16(o.bufID))
		o.bufID = -1
	}
}

// recycle offers a provided buffer to the kernel again.
func (l *Loop) recycle(id uint16) {
	l.stats.BuffersHeld--
	if l.poison != 0 {
		b := l.bufs.Buf(id)
		for i := range b {
			b[i] = l.poison
		}
	}
	l.bufs.Provide(id)
	// A Recv that found the ring empty (ENOBUFS) waits for this.
	for _, w := range l.bufWaiters {
		w.Wake()
	}
	clear(l.bufWaiters)
	l.bufWaiters = l.bufWaiters[:0]
}

// wakeLoop ends the loop's sleep in io_uring_enter: the eventfd's counter
// goes up, the read in flight on it completes, and its CQE wakes the ring.
func (l *Loop) wakeLoop() {
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	for {
		_, err := unix.Write(l.wakeFd, one[:])
		if err != unix.EINTR {
			return // EAGAIN: the counter is at its maximum, the loop will wake anyway
		}
	}
}

// logCQE is the debug record of one CQE: user_data split into slot and
// generation, the result, and the flags that matter here.
func (l *Loop) logCQE(c uring.CQE) {
	if c.UserData == ignoreUserData {
		l.log.Debug("cqe", "of", "cancel or link timeout", "res", c.Res)
		return
	}
	attrs := []any{"slot", uint32(c.UserData), "gen", uint32(c.UserData >> 32), "res", c.Res}
	if c.Flags&uring.CQEFBuffer != 0 {
		attrs = append(attrs, "buffer", c.Flags>>uring.CQEBufferShift)
	}
	if c.Flags&uring.CQEFMore != 0 {
		attrs = append(attrs, "more", true)
	}
	l.log.Debug("cqe", attrs...)
}
