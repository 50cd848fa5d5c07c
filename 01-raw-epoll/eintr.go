//go:build linux

package main

import "golang.org/x/sys/unix"

// ignoringEINTR calls fn and calls it again for as long as it fails with
// EINTR: the system call was interrupted by a signal before it did anything,
// so trying again is always right. This is the only EINTR loop in the stage;
// every system call that can be interrupted goes through it.
//
// The Go runtime installs its signal handlers with SA_RESTART, yet the kernel
// never restarts some calls (epoll_wait among them, see signal(7)), and the
// runtime itself sends signals to its threads (SIGURG for preemption), so
// EINTR does happen. internal/poll has the same helper, with this comment:
// "This appears to be required even though we install all signal handlers
// with SA_RESTART".
//
// Two calls must NOT go through it:
//
//   - close: internal/poll says "We don't use ignoringEINTR here because
//     POSIX does not define whether the descriptor is closed if close returns
//     EINTR. If the descriptor is indeed closed, using a loop would race with
//     some other goroutine opening a new descriptor. (The Linux kernel
//     guarantees that it is closed on an EINTR error.)" See closeFD.
//   - connect: an interrupted connect goes on in the background; calling it
//     again reports EALREADY. See dial.
func ignoringEINTR[T any](fn func() (T, error)) (T, error) {
	for {
		v, err := fn()
		if err != unix.EINTR {
			return v, err
		}
	}
}
