package poll

// Linux-only assertions: the epoll flags, the token's trip through
// epoll_event.data, error texts, and EINTR.
//
//	go test -run 'Epoll|Token|EINTR' -v ./02-mio-like-poll/poll

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
	"golang.org/x/sys/unix"
)

type rawFd int

func (f rawFd) Fd() int { return int(f) }

func TestEpollFlagsForEachMode(t *testing.T) {
	const base = unix.EPOLLIN | unix.EPOLLRDHUP
	tests := []struct {
		mode Mode
		want uint32
	}{
		{Level, base},
		{Edge, base | unix.EPOLLET},
		{Oneshot, base | unix.EPOLLONESHOT},
	}
	for _, tt := range tests {
		if got := epollFlags(Readable, tt.mode); got != tt.want {
			t.Errorf("epollFlags(Readable, %v) = %s, want %s", tt.mode, flagNames(got), flagNames(tt.want))
		}
	}
	if got, want := epollFlags(Readable|Writable, Level), uint32(base|unix.EPOLLOUT); got != want {
		t.Errorf("epollFlags(Readable|Writable, Level) = %#x, want %#x", got, want)
	}
}

// flagNames spells out the epoll flags in f, for failure messages.
func flagNames(f uint32) string {
	var names []string
	for _, fl := range []struct {
		bit  uint32
		name string
	}{
		{unix.EPOLLIN, "EPOLLIN"}, {unix.EPOLLOUT, "EPOLLOUT"}, {unix.EPOLLRDHUP, "EPOLLRDHUP"},
		{unix.EPOLLET, "EPOLLET"}, {unix.EPOLLONESHOT, "EPOLLONESHOT"},
	} {
		if f&fl.bit != 0 {
			names = append(names, fl.name)
			f &^= fl.bit
		}
	}
	if f != 0 {
		names = append(names, fmt.Sprintf("%#x", f))
	}
	return strings.Join(names, "|")
}

func TestTokenSurvivesEpollData(t *testing.T) {
	for _, tok := range []Token{0, 1, 1<<32 - 1, 1 << 32, 1<<64 - 1, 0xdeadbeef_cafef00d} {
		var ev unix.EpollEvent
		putToken(&ev, tok)
		if got := getToken(&ev); got != tok {
			t.Errorf("getToken(putToken(%#x)) = %#x", tok, got)
		}
	}
}

func TestEpollErrorTexts(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	unix.Close(fds[1])

	if err := p.Register(rawFd(fds[1]), 1, Readable, Level); err == nil || err.Error() != "epoll_ctl: bad file descriptor" {
		t.Errorf("Register(closed fd) = %v, want epoll_ctl: bad file descriptor", err)
	}
	if err := p.Deregister(rawFd(fds[0])); err == nil || err.Error() != "epoll_ctl: no such file or directory" {
		t.Errorf("Deregister(unregistered) = %v, want epoll_ctl: no such file or directory", err)
	}
	if err := p.Register(rawFd(fds[0]), 1, Readable, Level); err != nil {
		t.Fatal(err)
	}
	if err := p.Register(rawFd(fds[0]), 1, Readable, Level); err == nil || err.Error() != "epoll_ctl: file exists" {
		t.Errorf("second Register = %v, want epoll_ctl: file exists", err)
	}
}

func TestHangupReportsBothDirectionsClosed(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	if err := p.Register(rawFd(fds[0]), 5, Readable|Writable, Edge); err != nil {
		t.Fatal(err)
	}
	unix.Close(fds[1]) // the peer is gone: EPOLLHUP
	events := NewEvents(4)
	if _, err := p.Poll(events, time.Second); err != nil {
		t.Fatal(err)
	}
	for ev := range events.All() {
		if !ev.ReadClosed || !ev.WriteClosed || !ev.Readable {
			t.Errorf("event after the peer closed = %v, want readable, read-closed and write-closed", ev)
		}
	}
	if events.Len() != 1 {
		t.Errorf("Poll = %d events, want 1", events.Len())
	}
}

func TestIgnoringEINTRRetries(t *testing.T) {
	calls := 0
	n, err := ignoringEINTR(func() (int, error) {
		calls++
		if calls < 3 {
			return -1, unix.EINTR
		}
		return 7, nil
	})
	if n != 7 || err != nil || calls != 3 {
		t.Errorf("ignoringEINTR = %d, %v after %d calls; want 7, nil after 3", n, err, calls)
	}
}

// TestPollRetriesEINTRWithTheTimeLeft interrupts a real epoll_wait with
// signals sent to its very thread. The Go runtime handles SIGURG (it uses it
// for preemption) and ignores it otherwise; epoll_wait returns EINTR anyway,
// whatever SA_RESTART says. Poll must neither return early nor fail.
func TestPollRetriesEINTRWithTheTimeLeft(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var n int
	var pollErr error
	var elapsed time.Duration
	testutil.UnderSignals(t, 10*time.Second, "Poll interrupted by signals", func() {
		start := time.Now()
		n, pollErr = p.Poll(NewEvents(1), 300*time.Millisecond)
		elapsed = time.Since(start)
	})
	if n != 0 || pollErr != nil {
		t.Errorf("Poll(events, 300ms) under signals = %d, %v; want 0, nil", n, pollErr)
	}
	if elapsed < 250*time.Millisecond {
		t.Errorf("Poll(events, 300ms) under signals returned after %v: an EINTR ended the wait early", elapsed)
	}
}
