package uring

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

const enterGetEvents = 1 << 0 // IORING_ENTER_GETEVENTS: wait for minComplete CQEs

// Enter is io_uring_enter: it hands the kernel every SQE published by Flush
// and, if minComplete > 0, sleeps until at least that many CQEs are in the
// completion ring. Submitting and waiting in one system call is the point:
// an event loop makes one kernel crossing per turn, however many operations
// it starts and finishes in that turn. It returns how many SQEs the kernel
// consumed.
//
// A signal interrupts the wait (EINTR), and Go's runtime sends signals of its
// own (SIGURG, to preempt goroutines); Enter then submits nothing more and
// simply returns, which the caller treats as a wakeup with perhaps nothing
// done. The kernel never consumes SQEs twice, so that is safe.
func (r *Ring) Enter(minComplete uint32) (int, error) {
	toSubmit := r.Flush()
	// GETEVENTS even when not waiting: on a ring with SetupDeferTaskrun,
	// completion work (a recv whose data arrived, say) runs only then.
	flags := uintptr(enterGetEvents)
	var n uintptr
	var errno unix.Errno
	if minComplete == 0 {
		// Nothing to wait for: a raw system call skips the runtime's
		// bookkeeping for calls that may block (entersyscall).
		n, _, errno = unix.RawSyscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(toSubmit), 0, flags, 0, 0)
	} else {
		n, _, errno = unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(toSubmit), uintptr(minComplete), flags, 0, 0)
	}
	switch errno {
	case 0:
		if n == 0 && toSubmit > 0 {
			// The kernel consumes what the SQ tail says is there. Counting
			// SQEs without publishing the tail makes it see none and return
			// at once without waiting: a loop would spin on Enter forever.
			return 0, fmt.Errorf("io_uring_enter: the kernel consumed none of %d queued SQEs: the SQ tail was never published (Flush)", toSubmit)
		}
		return int(n), nil
	case unix.EINTR:
		return 0, nil
	case unix.EAGAIN, unix.EBUSY:
		// The kernel is short of memory for requests, or completions wait in
		// its overflow list for room in the CQ ring: reap, then enter again.
		return 0, nil
	}
	return 0, os.NewSyscallError("io_uring_enter", errno)
}

// Pending returns how many SQEs were handed out by NextSQE and not yet
// consumed by the kernel.
func (r *Ring) Pending() uint32 { return r.sqLocal - atomic.LoadUint32(r.sqHead) }

// Params returns what io_uring_setup answered.
func (r *Ring) Params() Params { return r.params }

// Fd returns the ring's descriptor (for registering buffer rings; do not
// close it).
func (r *Ring) Fd() int { return r.fd }

// Enable starts a ring set up with SetupRDisabled. With SetupSingleIssuer,
// the thread that calls Enable is the only one that may submit from then on.
func (r *Ring) Enable() error {
	const registerEnableRings = 12 // IORING_REGISTER_ENABLE_RINGS
	return r.register(registerEnableRings, nil, 0)
}

// register is io_uring_register.
func (r *Ring) register(opcode uint32, arg unsafe.Pointer, nrArgs uint32) error {
	_, _, errno := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), uintptr(opcode), uintptr(arg), uintptr(nrArgs), 0, 0)
	if errno != 0 {
		return os.NewSyscallError("io_uring_register", errno)
	}
	return nil
}
