package uring

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Opcodes used by the course (enum io_uring_op).
const (
	OpNop         = 0
	OpTimeout     = 11
	OpAccept      = 13
	OpAsyncCancel = 14
	OpClose       = 19
	OpRead        = 22
	OpSend        = 26
	OpRecv        = 27
)

// Operation flags.
const (
	AcceptMultishot = 1 << 0 // IORING_ACCEPT_MULTISHOT (in IoPrio): one SQE, a CQE per connection
	RecvMultishot   = 1 << 1 // IORING_RECV_MULTISHOT (in IoPrio): one SQE, a CQE per arrival
)

// PrepNop prepares an operation that does nothing and completes with 0.
func (s *SQE) PrepNop(userData uint64) {
	s.Opcode, s.UserData = OpNop, userData
}

// PrepAccept prepares accept4(fd, NULL, NULL, SOCK_NONBLOCK|SOCK_CLOEXEC).
// Its CQE's Res is the new connection's descriptor. With multishot, one SQE
// keeps accepting: each connection is a CQE with CQEFMore set, until a CQE
// without it ends the series.
func (s *SQE) PrepAccept(fd int, multishot bool, userData uint64) {
	s.Opcode, s.Fd, s.UserData = OpAccept, int32(fd), userData
	// NOTE: SOCK_NONBLOCK is not needed for io_uring's own reads, but the
	// descriptor may be handed to readiness code; CLOEXEC always matters.
	s.OpFlags = unix.SOCK_CLOEXEC
	if multishot {
		s.IoPrio |= AcceptMultishot
	}
}

// PrepRecv prepares recv(fd, buf, 0). The kernel writes into buf when data
// arrives, which may be long after this call: buf belongs to the kernel until
// the CQE comes back. Res is the byte count, 0 at end of stream.
func (s *SQE) PrepRecv(fd int, buf []byte, userData uint64) {
	s.Opcode, s.Fd, s.UserData = OpRecv, int32(fd), userData
	s.Addr, s.Len = bufAddr(buf), uint32(len(buf))
}

// PrepRecvSelect prepares a recv with no buffer of its own: when data
// arrives, the kernel takes a buffer from the provided-buffer group and names
// it in the CQE (CQEFBuffer, ID in Flags >> CQEBufferShift). An idle
// connection therefore holds no buffer. With multishot, one SQE receives
// again and again (CQEFMore), each arrival in a buffer of its own.
func (s *SQE) PrepRecvSelect(fd int, group uint16, multishot bool, userData uint64) {
	s.Opcode, s.Fd, s.UserData = OpRecv, int32(fd), userData
	s.Flags |= SQEBufferSelect
	s.BufIndex = group
	if multishot {
		s.IoPrio |= RecvMultishot
	}
}

// PrepSend prepares send(fd, buf, MSG_NOSIGNAL). buf belongs to the kernel
// until the CQE: if the socket's buffer is full, the kernel copies it later.
// Res may be less than len(buf) (a short send).
func (s *SQE) PrepSend(fd int, buf []byte, userData uint64) {
	s.Opcode, s.Fd, s.UserData = OpSend, int32(fd), userData
	s.Addr, s.Len = bufAddr(buf), uint32(len(buf))
	s.OpFlags = unix.MSG_NOSIGNAL
}

// PrepRead prepares pread(fd, buf, offset): a file read that really runs in
// the background (on the kernel's own workers if the page cache misses), so
// no worker goroutine of ours blocks on the disk.
func (s *SQE) PrepRead(fd int, buf []byte, offset uint64, userData uint64) {
	s.Opcode, s.Fd, s.UserData = OpRead, int32(fd), userData
	s.Addr, s.Len, s.Off = bufAddr(buf), uint32(len(buf)), offset
}

// PrepClose prepares close(fd).
func (s *SQE) PrepClose(fd int, userData uint64) {
	s.Opcode, s.Fd, s.UserData = OpClose, int32(fd), userData
}

// PrepTimeout prepares a timer that completes with -ETIME after ts. The
// kernel copies *ts while it takes the SQE, in the same Enter.
func (s *SQE) PrepTimeout(ts *unix.Timespec, userData uint64) {
	s.Opcode, s.UserData = OpTimeout, userData
	s.Addr, s.Len = uint64(uintptr(unsafe.Pointer(ts))), 1
}

// PrepCancel prepares IORING_OP_ASYNC_CANCEL of the request whose user_data
// is target. Its own CQE says 0 (found and cancelled), -ENOENT (not found:
// already completed) or -EALREADY (running; it will complete soon). Either
// way the target's own CQE still comes, with -ECANCELED if the cancel won.
func (s *SQE) PrepCancel(target uint64, userData uint64) {
	s.Opcode, s.UserData = OpAsyncCancel, userData
	s.Addr = target
}

func bufAddr(buf []byte) uint64 {
	if len(buf) == 0 {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(&buf[0])))
}

// OpLinkTimeout is IORING_OP_LINK_TIMEOUT.
const OpLinkTimeout = 15

// PrepLinkTimeout prepares a timeout for the SQE before it, which must carry
// SQEIOLink: if that operation has not completed after ts, the kernel cancels
// it (its CQE says -ECANCELED). This SQE's own CQE says -ETIME if it fired,
// -ECANCELED if the operation finished first.
func (s *SQE) PrepLinkTimeout(ts *unix.Timespec, userData uint64) {
	s.Opcode, s.UserData = OpLinkTimeout, userData
	s.Addr, s.Len = uint64(uintptr(unsafe.Pointer(ts))), 1
}
