package uring

import (
	"sync/atomic"
	"unsafe"
)

// SQE is struct io_uring_sqe, 64 bytes: one request. The meaning of most
// fields depends on Opcode; the Prep functions fill them for each operation.
type SQE struct {
	Opcode      uint8
	Flags       uint8  // IOSQE_* bits
	IoPrio      uint16 // also: accept and recv flags (multishot)
	Fd          int32
	Off         uint64 // offset in a file; for a cancel, unused
	Addr        uint64 // buffer address; for a cancel, the user_data to cancel
	Len         uint32
	OpFlags     uint32 // msg_flags, timeout_flags, cancel_flags, accept_flags...
	UserData    uint64 // copied into the CQE: how we know what completed
	BufIndex    uint16 // with IOSQE_BUFFER_SELECT: the buffer group
	Personality uint16
	SpliceFdIn  int32
	Addr3       uint64
	_           uint64
}

// CQE is struct io_uring_cqe, 16 bytes: one completion.
type CQE struct {
	UserData uint64 // the SQE's UserData
	Res      int32  // the system call's return value, or -errno
	Flags    uint32 // IORING_CQE_F_* bits
}

// CQE flags.
const (
	CQEFBuffer     = 1 << 0 // the upper 16 bits of Flags name the provided buffer used
	CQEFMore       = 1 << 1 // a multishot request: more CQEs will follow for this SQE
	CQEBufferShift = 16
)

// SQE flags.
const (
	SQEIOLink       = 1 << 2 // the next SQE starts only after this one completes
	SQEBufferSelect = 1 << 5 // pick a buffer from the group in BufIndex when data arrives
)

var _ [64 - unsafe.Sizeof(SQE{})]byte // SQE must be exactly 64 bytes
var _ [unsafe.Sizeof(SQE{}) - 64]byte
var _ [16 - unsafe.Sizeof(CQE{})]byte

// NextSQE returns the next free SQE, zeroed, or nil if the submission ring is
// full (then Enter to hand the queued ones to the kernel and try again).
// The SQE is not visible to the kernel until Flush publishes it.
func (r *Ring) NextSQE() *SQE {
	// The kernel moves the head as it consumes SQEs: load-acquire, so that
	// the slots it freed are really free before we write them.
	head := atomic.LoadUint32(r.sqHead)
	if r.sqLocal-head >= uint32(len(r.sqes)) {
		return nil
	}
	i := r.sqLocal & r.sqMask
	r.sqLocal++
	sqe := &r.sqes[i]
	*sqe = SQE{}
	r.sqArray[i] = i // identity: SQ slot i submits SQE i
	return sqe
}

// LastSQE returns the SQE most recently handed out by NextSQE and not yet
// published, so a caller can add a flag (SQEIOLink) before the next one.
func (r *Ring) LastSQE() *SQE { return &r.sqes[(r.sqLocal-1)&r.sqMask] }
