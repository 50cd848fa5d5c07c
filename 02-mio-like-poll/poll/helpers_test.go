package poll_test

import (
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/internal/testutil"
	"golang.org/x/sys/unix"
)

// socketPair returns the two ends of a connected, non-blocking Unix stream
// socket pair, closed when the test ends. A byte written to one end is in
// the other end's receive queue when write returns, which makes event counts
// exact.
func socketPair(t *testing.T) (a, b fd) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	for _, f := range fds {
		unix.CloseOnExec(f)
		if err := unix.SetNonblock(f, true); err != nil {
			t.Fatalf("set nonblock: %v", err)
		}
		t.Cleanup(func() { unix.Close(f) })
	}
	return fd(fds[0]), fd(fds[1])
}

// newPoll returns a Poll closed when the test ends, after checking that the
// test leaks no descriptor.
func newPoll(t *testing.T) *poll.Poll {
	t.Helper()
	testutil.CheckNoFDLeak(t)
	p, err := poll.New()
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func write(t *testing.T, f fd, s string) {
	t.Helper()
	if n, err := unix.Write(int(f), []byte(s)); n != len(s) || err != nil {
		t.Fatalf("write(%q) = %d, %v", s, n, err)
	}
}

// pollOnce polls with timeout and returns the events.
func pollOnce(t *testing.T, p *poll.Poll, timeout time.Duration) []poll.Event {
	t.Helper()
	events := poll.NewEvents(16)
	n, err := p.Poll(events, timeout)
	if err != nil {
		t.Fatalf("Poll(events, %v) = %d, %v", timeout, n, err)
	}
	var got []poll.Event
	for ev := range events.All() {
		got = append(got, ev)
	}
	if len(got) != n {
		t.Fatalf("Poll returned %d but All yielded %d events", n, len(got))
	}
	return got
}
