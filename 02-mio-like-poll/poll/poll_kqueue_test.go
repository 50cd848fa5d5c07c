//go:build darwin || freebsd

// The kernel facts the kqueue backend is built on, checked against the
// kernel itself with raw kevent calls (the comments in poll_kqueue.go and in
// stage 03's event_pipe.go cite the kern_event.c functions behind them).
// They run wherever kqueue exists.
//
//	go test -run Kernel -v ./02-mio-like-poll/poll
package poll_test

import (
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// rawKqueue returns a kqueue closed when the test ends.
func rawKqueue(t *testing.T) int {
	t.Helper()
	kq, err := unix.Kqueue()
	if err != nil {
		t.Fatalf("kqueue: %v", err)
	}
	t.Cleanup(func() { unix.Close(kq) })
	return kq
}

func kchange(ident, filter int, flags uint16) unix.Kevent_t {
	var k unix.Kevent_t
	unix.SetKevent(&k, ident, filter, int(flags))
	return k
}

// submit applies one change with EV_RECEIPT and returns its errno (0: done).
func submit(t *testing.T, kq int, k unix.Kevent_t) unix.Errno {
	t.Helper()
	k.Flags |= unix.EV_RECEIPT
	receipt := make([]unix.Kevent_t, 1)
	n, err := unix.Kevent(kq, []unix.Kevent_t{k}, receipt, nil)
	if err != nil || n != 1 {
		t.Fatalf("kevent(change) = %d, %v", n, err)
	}
	return unix.Errno(receipt[0].Data)
}

// records waits up to d and returns the filters reported for ident.
func records(t *testing.T, kq int, ident int, d time.Duration) []int16 {
	t.Helper()
	ts := unix.NsecToTimespec(d.Nanoseconds())
	buf := make([]unix.Kevent_t, 8)
	n, err := unix.Kevent(kq, nil, buf, &ts)
	if err != nil {
		t.Fatalf("kevent(wait) = %v", err)
	}
	var fs []int16
	for _, k := range buf[:n] {
		if int(k.Ident) == ident {
			fs = append(fs, k.Filter)
		}
	}
	return fs
}

// EV_DISPATCH disarms the one filter it delivered (kqueue_scan, FreeBSD;
// knote_process, XNU), so a descriptor watched both ways reports a second
// time, for the other direction, before anyone re-arms it. This is why the
// backend disables the other filter itself (TestOneshotSilencesBothDirections).
func TestKernelDispatchDisarmsOnlyTheFilterThatFired(t *testing.T) {
	kq := rawKqueue(t)
	a, b := socketPair(t)
	for _, f := range []int{unix.EVFILT_READ, unix.EVFILT_WRITE} {
		if errno := submit(t, kq, kchange(int(a), f, unix.EV_ADD|unix.EV_DISPATCH)); errno != 0 {
			t.Fatalf("EV_ADD|EV_DISPATCH filter %d: %v", f, errno)
		}
	}
	if got := records(t, kq, int(a), time.Second); len(got) != 1 || got[0] != unix.EVFILT_WRITE {
		t.Fatalf("first wait = filters %v, want only EVFILT_WRITE", got)
	}
	write(t, b, "x")
	if got := records(t, kq, int(a), time.Second); len(got) != 1 || got[0] != unix.EVFILT_READ {
		t.Fatalf("after data arrived = filters %v, want EVFILT_READ: the read filter was still armed", got)
	}
}

// Closing a descriptor drops its filters (knote_fdclose), so a change with
// no action flag for the reused number finds nothing: ENOENT, which is what
// the backend's stillWatched relies on. For a live filter the same change
// succeeds.
func TestKernelForgetsAClosedDescriptorsFilters(t *testing.T) {
	kq := rawKqueue(t)
	old, peer := rawSocketPair(t)
	defer unix.Close(peer)
	if errno := submit(t, kq, kchange(old, unix.EVFILT_READ, unix.EV_ADD)); errno != 0 {
		t.Fatalf("EV_ADD: %v", errno)
	}
	if errno := submit(t, kq, kchange(old, unix.EVFILT_READ, 0)); errno != 0 {
		t.Fatalf("a change with no action flag for a live filter = %v, want success", errno)
	}
	c, _ := socketPair(t)
	unix.Close(old)
	reuseNumber(t, c, old)
	defer unix.Close(old)
	if errno := submit(t, kq, kchange(old, unix.EVFILT_READ, 0)); errno != unix.ENOENT {
		t.Errorf("the same change after close and reuse = %v, want ENOENT", errno)
	}
}

// FreeBSD's filt_usertouch resets a user event's trigger when an EV_ADD for
// the existing event carries EV_CLEAR; XNU's keeps it. Re-registering an
// edge-triggered EVFILT_USER event therefore loses a pending trigger on
// FreeBSD only: one reason stage 03 uses a pipe on kqueue systems, which
// behaves the same on both.
func TestKernelUserEventReaddWithClear(t *testing.T) {
	kq := rawKqueue(t)
	const ident = 42
	if errno := submit(t, kq, kchange(ident, unix.EVFILT_USER, unix.EV_ADD|unix.EV_CLEAR)); errno != 0 {
		t.Fatalf("EV_ADD EVFILT_USER: %v", errno)
	}
	trigger := kchange(ident, unix.EVFILT_USER, 0)
	trigger.Fflags = unix.NOTE_TRIGGER
	if errno := submit(t, kq, trigger); errno != 0 {
		t.Fatalf("NOTE_TRIGGER: %v", errno)
	}
	if errno := submit(t, kq, kchange(ident, unix.EVFILT_USER, unix.EV_ADD|unix.EV_CLEAR)); errno != 0 {
		t.Fatalf("second EV_ADD|EV_CLEAR: %v", errno)
	}
	kept := len(records(t, kq, ident, 100*time.Millisecond)) == 1
	if want := runtime.GOOS != "freebsd"; kept != want {
		t.Errorf("on %s, a trigger pending across EV_ADD|EV_CLEAR was kept = %v, want %v (filt_usertouch)", runtime.GOOS, kept, want)
	}
}
