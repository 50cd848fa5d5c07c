package uring

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Params is struct io_uring_params: what we ask io_uring_setup for, and what
// it answers (the ring sizes it chose, the features it has, and where in the
// mappings each index lives).
type Params struct {
	SQEntries    uint32
	CQEntries    uint32
	Flags        uint32
	SQThreadCPU  uint32
	SQThreadIdle uint32
	Features     uint32
	WQFd         uint32
	resv         [3]uint32
	SQOff        SQRingOffsets
	CQOff        CQRingOffsets
}

// SQRingOffsets is struct io_sqring_offsets: byte offsets into the SQ mapping.
type SQRingOffsets struct {
	Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, resv1 uint32
	UserAddr                                                        uint64
}

// CQRingOffsets is struct io_cqring_offsets: byte offsets into the CQ mapping.
type CQRingOffsets struct {
	Head, Tail, RingMask, RingEntries, Overflow, CQEs, Flags, resv1 uint32
	UserAddr                                                        uint64
}

// Setup flags and features used here (include/uapi/linux/io_uring.h).
const (
	SetupClamp        = 1 << 4  // clamp entries to the maximum instead of failing
	SetupRDisabled    = 1 << 6  // start disabled; Enable from the thread that will submit
	SetupSubmitAll    = 1 << 7  // keep submitting after an SQE fails to prepare
	SetupCoopTaskrun  = 1 << 8  // no interrupt to run completion work: we enter often anyway
	SetupSingleIssuer = 1 << 12 // one thread submits (the kernel may skip some locking)
	SetupDeferTaskrun = 1 << 13 // completion work runs only inside io_uring_enter(GETEVENTS), batched

	FeatSingleMmap = 1 << 0 // SQ and CQ rings share one mapping
	FeatNoDrop     = 1 << 1 // CQEs are never dropped when the CQ is full
	FeatExtArg     = 1 << 8 // io_uring_enter takes a timeout
)

// mmap offsets that select which region of the ring a mapping shows.
const (
	offSQRing = 0
	offCQRing = 0x8000000
	offSQEs   = 0x10000000
)

// Ring is one io_uring instance and its three mappings.
type Ring struct {
	fd     int    // the ring, closed by Close
	params Params // as io_uring_setup filled it in

	sqMem  []byte // SQ ring mapping (head, tail, mask, array)
	cqMem  []byte // CQ ring mapping; the same memory as sqMem with FeatSingleMmap
	sqeMem []byte // the SQE array mapping

	// Pointers into sqMem and cqMem. The kernel writes sqHead and cqTail;
	// we write sqTail and cqHead. Every access to them is atomic.
	sqHead, sqTail *uint32
	cqHead, cqTail *uint32
	sqFlags        *uint32
	cqOverflow     *uint32
	sqMask, cqMask uint32
	sqArray        []uint32 // sq_off.array: which SQE each SQ slot submits
	sqes           []SQE
	cqes           []CQE

	// sqLocal is the tail as we have filled it: SQEs between *sqTail and
	// sqLocal are being prepared and are not yet visible to the kernel.
	sqLocal uint32
}

// ErrUnavailable wraps the reason io_uring cannot be used on this system: an
// old kernel (ENOSYS), kernel.io_uring_disabled, or a seccomp profile that
// forbids the system call (EPERM). Check with errors.Is.
var ErrUnavailable = errors.New("io_uring is not available")

// New sets up a ring with room for at least entries SQEs (a power of two; the
// kernel rounds up) and maps it. flags are Setup* bits; a kernel too old for
// one of them says EINVAL (errors.Is(err, unix.EINVAL)).
func New(entries uint32, flags uint32) (*Ring, error) {
	p := Params{Flags: flags}
	fd, err := setup(entries, &p)
	if err != nil {
		return nil, unavailable(err)
	}
	r := &Ring{fd: fd, params: p}
	if err := r.mapRings(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// unavailable turns the errors that mean "this system does not let us use
// io_uring" into ErrUnavailable, with the reason in the message.
func unavailable(err error) error {
	switch err {
	case unix.ENOSYS:
		return fmt.Errorf("%w: io_uring_setup: %w (kernel older than 5.1, or built without io_uring)", ErrUnavailable, err)
	case unix.EPERM, unix.EACCES:
		why := "a seccomp profile (containers often forbid io_uring) or kernel.io_uring_disabled"
		if b, rerr := os.ReadFile("/proc/sys/kernel/io_uring_disabled"); rerr == nil && len(b) > 0 && b[0] != '0' {
			why = "kernel.io_uring_disabled = " + string(b[:1])
		}
		return fmt.Errorf("%w: io_uring_setup: %w (%s)", ErrUnavailable, err, why)
	}
	return os.NewSyscallError("io_uring_setup", err)
}

// Available reports whether io_uring can be used here as this stage uses
// it, by setting up a tiny ring with a provided-buffer ring (kernel 5.19 and
// later) and closing both. The error (ErrUnavailable) says why not in one
// line.
func Available() error {
	r, err := New(2, 0)
	if err != nil {
		return err
	}
	defer r.Close()
	b, err := NewBufRing(r, 0, 1, 64)
	if err != nil {
		return fmt.Errorf("%w: provided-buffer rings need kernel 5.19 or later: %w", ErrUnavailable, err)
	}
	return b.Close()
}

func setup(entries uint32, p *Params) (int, error) {
	fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(p)), 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// mapRings maps the SQ ring, the CQ ring (the same mapping when the kernel
// has FeatSingleMmap) and the SQE array, and points the Ring's fields into
// them.
func (r *Ring) mapRings() error {
	p := &r.params
	sqSize := int(p.SQOff.Array + p.SQEntries*4)
	cqSize := int(p.CQOff.CQEs + p.CQEntries*uint32(unsafe.Sizeof(CQE{})))
	single := p.Features&FeatSingleMmap != 0
	if single {
		sqSize = max(sqSize, cqSize)
	}
	var err error
	r.sqMem, err = mmap(r.fd, offSQRing, sqSize)
	if err != nil {
		return err
	}
	if single {
		r.cqMem = r.sqMem
	} else if r.cqMem, err = mmap(r.fd, offCQRing, cqSize); err != nil {
		return err
	}
	r.sqeMem, err = mmap(r.fd, offSQEs, int(p.SQEntries)*int(unsafe.Sizeof(SQE{})))
	if err != nil {
		return err
	}

	r.sqHead = u32At(r.sqMem, p.SQOff.Head)
	r.sqTail = u32At(r.sqMem, p.SQOff.Tail)
	r.sqFlags = u32At(r.sqMem, p.SQOff.Flags)
	r.sqMask = *u32At(r.sqMem, p.SQOff.RingMask)
	r.sqArray = unsafe.Slice(u32At(r.sqMem, p.SQOff.Array), p.SQEntries)
	r.sqes = unsafe.Slice((*SQE)(unsafe.Pointer(&r.sqeMem[0])), p.SQEntries)
	r.cqHead = u32At(r.cqMem, p.CQOff.Head)
	r.cqTail = u32At(r.cqMem, p.CQOff.Tail)
	r.cqOverflow = u32At(r.cqMem, p.CQOff.Overflow)
	r.cqMask = *u32At(r.cqMem, p.CQOff.RingMask)
	r.cqes = unsafe.Slice((*CQE)(unsafe.Pointer(&r.cqMem[p.CQOff.CQEs])), p.CQEntries)
	r.sqLocal = atomic.LoadUint32(r.sqTail)
	return nil
}

func mmap(fd int, offset int64, size int) ([]byte, error) {
	b, err := unix.Mmap(fd, offset, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	return b, nil
}

func u32At(mem []byte, off uint32) *uint32 { return (*uint32)(unsafe.Pointer(&mem[off])) }

// Close unmaps the three regions and closes the ring. Operations still in
// flight are cancelled by the kernel when the last reference to the ring goes;
// their buffers must stay untouched until then, which for a process that goes
// on running means: reap every CQE before Close (the loop package does).
// A second Close returns an error and touches nothing.
func (r *Ring) Close() error {
	if r.fd < 0 {
		return errors.New("uring: ring already closed")
	}
	var errs []error
	unmap := func(m []byte) {
		if m == nil {
			return
		}
		if err := unix.Munmap(m); err != nil {
			errs = append(errs, os.NewSyscallError("munmap", err))
		}
	}
	unmap(r.sqeMem)
	if r.cqMem != nil && r.sqMem != nil && &r.cqMem[0] != &r.sqMem[0] {
		unmap(r.cqMem) // a separate mapping only without FeatSingleMmap
	}
	unmap(r.sqMem)
	r.sqMem, r.cqMem, r.sqeMem, r.sqes, r.cqes, r.sqArray = nil, nil, nil, nil, nil, nil
	// NOTE: close is not retried on EINTR (see internal/poll's comment on
	// close: the descriptor is gone either way).
	if err := unix.Close(r.fd); err != nil {
		errs = append(errs, os.NewSyscallError("close", err))
	}
	r.fd = -1
	return errors.Join(errs...)
}
