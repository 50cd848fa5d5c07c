//go:build linux

package main

import (
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
	"golang.org/x/sys/unix"
)

func TestTimeoutReturnsZeroEventsNoSooner(t *testing.T) {
	checkNoLeak(t)
	const timeout = 50 * time.Millisecond
	testutil.Within(t, 10*time.Second, "waitEmpty", func() {
		n, elapsed, err := waitEmpty(timeout)
		if err != nil || n != 0 {
			t.Errorf("waitEmpty(%v) = %d events, %v; want 0, nil", timeout, n, err)
		}
		if elapsed < timeout {
			t.Errorf("waitEmpty(%v) returned after %v: sooner than its timeout", timeout, elapsed)
		}
		t.Logf("waitEmpty(%v) returned after %v", timeout, elapsed)
	})
}

// TestTimeoutSurvivesSignals interrupts a real epoll_wait with SIGURG sent
// to its very thread (the runtime uses SIGURG for preemption and ignores it
// otherwise). epoll_wait fails with EINTR whatever SA_RESTART says; epollWait
// must retry with the time that is left: no error, no early return, and no
// fresh full timeout on every signal (that would never end while the signals
// go on, and the watchdog would fire).
func TestTimeoutSurvivesSignals(t *testing.T) {
	checkNoLeak(t)
	const timeout = 300 * time.Millisecond
	var n int
	var elapsed time.Duration
	var err error
	testutil.UnderSignals(t, 10*time.Second, "waitEmpty interrupted by signals", func() {
		n, elapsed, err = waitEmpty(timeout)
	})
	if err != nil || n != 0 {
		t.Errorf("waitEmpty(%v) under signals = %d events, %v; want 0, nil", timeout, n, err)
	}
	if elapsed < timeout {
		t.Errorf("waitEmpty(%v) under signals returned after %v: an EINTR ended the wait early", timeout, elapsed)
	}
}

func TestZeroTimeoutOnlyLooks(t *testing.T) {
	checkNoLeak(t)
	testutil.Within(t, 10*time.Second, "waitEmpty(0)", func() {
		if n, _, err := waitEmpty(0); err != nil || n != 0 {
			t.Errorf("waitEmpty(0) = %d events, %v; want 0, nil", n, err)
		}
	})
}

func TestReadyListCarriesOurToken(t *testing.T) {
	checkNoLeak(t)
	sfd, cfd := tcpPair(t)
	epfd, err := epollCreate()
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, epfd)
	if err := epollAdd(epfd, sfd, unix.EPOLLIN, tokServer); err != nil {
		t.Fatal(err)
	}
	events := make([]unix.EpollEvent, 4)
	if n, err := epollWait(epfd, events, 0); err != nil || n != 0 {
		t.Fatalf("epollWait before any data = %d, %v; want 0 events", n, err)
	}
	writeAll(t, cfd, ping)
	n, err := epollWait(epfd, events, 5*time.Second)
	if err != nil || n != 1 {
		t.Fatalf("epollWait after a write = %d, %v; want 1 event", n, err)
	}
	if tok, ev := token(events[0].Fd), eventString(events[0].Events); tok != tokServer || ev != "readable" {
		t.Errorf("event = %v %s, want server readable", tok, ev)
	}
	if err := epollAdd(epfd, sfd, unix.EPOLLIN, tokServer); err == nil || err.Error() != "epoll_ctl: file exists" {
		t.Errorf("epollAdd twice = %v, want epoll_ctl: file exists", err)
	}
}

func TestMillisRoundsUp(t *testing.T) {
	for _, tt := range []struct {
		timeout time.Duration
		want    int
	}{
		{-time.Second, 0},
		{0, 0},
		{time.Microsecond, 1}, // 0 would not wait at all
		{time.Millisecond, 1},
		{1500 * time.Microsecond, 2},
		{time.Hour, 3600 * 1000},
	} {
		if got := millis(tt.timeout); got != tt.want {
			t.Errorf("millis(%v) = %d, want %d", tt.timeout, got, tt.want)
		}
	}
}

func TestEventString(t *testing.T) {
	for _, tt := range []struct {
		events uint32
		want   string
	}{
		{0, "none"},
		{unix.EPOLLIN, "readable"},
		{unix.EPOLLIN | unix.EPOLLOUT, "readable|writable"},
		{unix.EPOLLOUT | unix.EPOLLERR | unix.EPOLLHUP, "writable|hang-up|error"},
	} {
		if got := eventString(tt.events); got != tt.want {
			t.Errorf("eventString(%#x) = %q, want %q", tt.events, got, tt.want)
		}
	}
}
