// The contract every backend meets; it runs on whichever backend the OS has.
//
//	go test -run . -v ./02-mio-like-poll/poll
package poll_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRegisteredSourceIsReportedWithItsToken(t *testing.T) {
	p := newPoll(t)
	a, b := socketPair(t)
	const tok = poll.Token(1<<63 | 42) // all 64 bits survive the kernel
	if err := p.Register(a, tok, poll.Readable, poll.Level); err != nil {
		t.Fatalf("Register = %v", err)
	}
	if got := pollOnce(t, p, 0); len(got) != 0 {
		t.Fatalf("Poll before any write = %v, want no events", got)
	}
	write(t, b, "x")
	got := pollOnce(t, p, time.Second)
	want := []poll.Event{{Token: tok, Readable: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestWritableInterest(t *testing.T) {
	p := newPoll(t)
	a, _ := socketPair(t)
	if err := p.Register(a, 7, poll.Writable, poll.Edge); err != nil {
		t.Fatalf("Register = %v", err)
	}
	got := pollOnce(t, p, time.Second)
	want := []poll.Event{{Token: 7, Writable: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// countRounds polls `rounds` times; on every event for tok it reads up to
// four bytes, as the demo's handler does. It returns how many events arrived
// and how many bytes were read.
func countRounds(t *testing.T, p *poll.Poll, r fd, rounds int) (events, bytes int) {
	t.Helper()
	buf := make([]byte, 4)
	for range rounds {
		for _, ev := range pollOnce(t, p, 0) {
			if !ev.Readable {
				continue
			}
			events++
			n, err := unix.Read(int(r), buf)
			if err == unix.EAGAIN {
				continue // a spurious event: fine, wait for the next
			}
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			bytes += n
		}
	}
	return events, bytes
}

func TestModes(t *testing.T) {
	tests := []struct {
		name        string
		mode        poll.Mode
		events      int // events for 8 bytes, reading 4 per event, over 5 polls
		bytes       int
		eventsAfter int // events after the follow-up step, over 5 more polls
		followUp    string
	}{
		{name: "level mode re-reports unread data", mode: poll.Level, events: 2, bytes: 8,
			followUp: "new data", eventsAfter: 1},
		{name: "edge mode reports a burst once until new data arrives", mode: poll.Edge, events: 1, bytes: 4,
			followUp: "new data", eventsAfter: 1},
		{name: "oneshot mode reports once until re-armed", mode: poll.Oneshot, events: 1, bytes: 4,
			followUp: "reregister", eventsAfter: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPoll(t)
			a, b := socketPair(t)
			if err := p.Register(a, 1, poll.Readable, tt.mode); err != nil {
				t.Fatalf("Register = %v", err)
			}
			write(t, b, "12345678")
			events, bytes := countRounds(t, p, a, 5)
			if events != tt.events || bytes != tt.bytes {
				t.Errorf("%v: 8 bytes written, 4 read per event: %d events, %d bytes read; want %d events, %d bytes",
					tt.mode, events, bytes, tt.events, tt.bytes)
			}
			switch tt.followUp {
			case "new data":
				write(t, b, "abcd")
			case "reregister":
				// Nothing new arrives, yet re-arming reports the
				// unread bytes again.
				if err := p.Reregister(a, 1, poll.Readable, poll.Oneshot); err != nil {
					t.Fatalf("Reregister = %v", err)
				}
			}
			events, _ = countRounds(t, p, a, 5)
			if events != tt.eventsAfter {
				t.Errorf("%v: after %s: %d events, want %d", tt.mode, tt.followUp, events, tt.eventsAfter)
			}
		})
	}
}

func TestDeregisterStopsEvents(t *testing.T) {
	p := newPoll(t)
	a, b := socketPair(t)
	if err := p.Register(a, 1, poll.Readable, poll.Level); err != nil {
		t.Fatalf("Register = %v", err)
	}
	write(t, b, "x")
	if err := p.Deregister(a); err != nil {
		t.Fatalf("Deregister = %v", err)
	}
	if got := pollOnce(t, p, 10*time.Millisecond); len(got) != 0 {
		t.Errorf("Poll after Deregister = %v, want no events", got)
	}
	// Deregistered means the number may be registered again.
	if err := p.Register(a, 2, poll.Readable, poll.Level); err != nil {
		t.Fatalf("Register after Deregister = %v", err)
	}
	if got := pollOnce(t, p, time.Second); len(got) != 1 || got[0].Token != 2 {
		t.Errorf("Poll after re-Register = %v, want one event for token 2", got)
	}
}

func TestReadClosedWhenPeerShutsDownWriting(t *testing.T) {
	p := newPoll(t)
	a, b := socketPair(t)
	if err := p.Register(a, 3, poll.Readable, poll.Edge); err != nil {
		t.Fatalf("Register = %v", err)
	}
	if err := unix.Shutdown(int(b), unix.SHUT_WR); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	got := pollOnce(t, p, time.Second)
	want := []poll.Event{{Token: 3, Readable: true, ReadClosed: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestPollTimeoutReturnsNoEvents(t *testing.T) {
	p := newPoll(t)
	start := time.Now()
	got := pollOnce(t, p, 20*time.Millisecond)
	if len(got) != 0 {
		t.Errorf("Poll(events, 20ms) with nothing registered = %v, want none", got)
	}
	// Only a lower bound: a loaded machine may wake us late, never early.
	if elapsed := time.Since(start); elapsed < 15*time.Millisecond {
		t.Errorf("Poll(events, 20ms) returned after %v, want about 20ms", elapsed)
	}
}

// A timeout shorter than a millisecond is rounded up, never down to zero:
// a zero timeout only looks, and a timer loop waiting 100µs at a time would
// spin on the CPU instead of sleeping.
func TestPollNeverReturnsBeforeItsTimeout(t *testing.T) {
	p := newPoll(t)
	for _, timeout := range []time.Duration{100 * time.Microsecond, 1500 * time.Microsecond} {
		start := time.Now()
		got := pollOnce(t, p, timeout)
		elapsed := time.Since(start)
		if len(got) != 0 {
			t.Errorf("Poll(events, %v) with nothing registered = %v, want none", timeout, got)
		}
		if elapsed < timeout {
			t.Errorf("Poll(events, %v) returned after %v: before its timeout", timeout, elapsed)
		}
	}
}

func TestRegisterWhileAnotherGoroutinePolls(t *testing.T) {
	p := newPoll(t)
	a, b := socketPair(t)
	write(t, b, "x")
	done := make(chan []poll.Event)
	go func() {
		events := poll.NewEvents(4)
		var got []poll.Event
		if _, err := p.Poll(events, 5*time.Second); err != nil {
			t.Errorf("Poll = %v", err)
		}
		for ev := range events.All() {
			got = append(got, ev)
		}
		done <- got
	}()
	time.Sleep(20 * time.Millisecond) // let the goroutine block in Poll; not needed for correctness
	if err := p.Register(a, 9, poll.Readable, poll.Level); err != nil {
		t.Fatalf("Register = %v", err)
	}
	testutil.Within(t, 5*time.Second, "Poll woken by a registration from another goroutine", func() {
		got := <-done
		if len(got) != 1 || got[0].Token != 9 {
			t.Errorf("Poll = %v, want one event for token 9", got)
		}
	})
}

func TestErrors(t *testing.T) {
	p := newPoll(t)
	a, _ := socketPair(t)

	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"register a closed descriptor", func() error {
			return p.Register(fd(closedFd(t)), 1, poll.Readable, poll.Level)
		}, unix.EBADF},
		{"register the same descriptor twice", func() error {
			if err := p.Register(a, 1, poll.Readable, poll.Level); err != nil {
				return err
			}
			return p.Register(a, 1, poll.Readable, poll.Level)
		}, unix.EEXIST},
		{"reregister a descriptor never registered", func() error {
			b, _ := socketPair(t)
			return p.Reregister(b, 1, poll.Readable, poll.Level)
		}, unix.ENOENT},
		{"deregister a descriptor never registered", func() error {
			b, _ := socketPair(t)
			return p.Deregister(b)
		}, unix.ENOENT},
		{"register with no interest", func() error {
			b, _ := socketPair(t)
			return p.Register(b, 1, 0, poll.Level)
		}, unix.EINVAL},
		{"register with an unknown mode", func() error {
			b, _ := socketPair(t)
			return p.Register(b, 1, poll.Readable, poll.Mode(9))
		}, unix.EINVAL},
		{"poll with a zero-capacity Events", func() error {
			_, err := p.Poll(poll.NewEvents(0), 0)
			return err
		}, unix.EINVAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want an error wrapping %v", err, tt.want)
			}
		})
	}
}

func TestClosedPoll(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	p, err := poll.New()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := socketPair(t)
	if err := p.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if _, err := p.Poll(poll.NewEvents(1), 0); !errors.Is(err, poll.ErrClosed) {
		t.Errorf("Poll after Close = %v, want ErrClosed", err)
	}
	if err := p.Register(a, 1, poll.Readable, poll.Level); !errors.Is(err, poll.ErrClosed) {
		t.Errorf("Register after Close = %v, want ErrClosed", err)
	}
	if err := p.Reregister(a, 1, poll.Readable, poll.Level); !errors.Is(err, poll.ErrClosed) {
		t.Errorf("Reregister after Close = %v, want ErrClosed", err)
	}
	if err := p.Deregister(a); !errors.Is(err, poll.ErrClosed) {
		t.Errorf("Deregister after Close = %v, want ErrClosed", err)
	}
	if err := p.Close(); !errors.Is(err, poll.ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
}

func TestStrings(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{(poll.Readable | poll.Writable).String(), "readable|writable"},
		{poll.Readable.String(), "readable"},
		{poll.Interest(0).String(), "none"},
		{poll.Level.String(), "level"},
		{poll.Edge.String(), "edge"},
		{poll.Oneshot.String(), "oneshot"},
		{poll.Mode(9).String(), "Mode(9)"},
		{poll.Event{Token: 1, Readable: true, ReadClosed: true}.String(), "token 1: readable|read-closed"},
	} {
		if tt.got != tt.want {
			t.Errorf("String() = %q, want %q", tt.got, tt.want)
		}
	}
}

func TestEventsCapacity(t *testing.T) {
	p := newPoll(t)
	events := poll.NewEvents(2)
	if events.Cap() != 2 || events.Len() != 0 {
		t.Fatalf("NewEvents(2): Cap %d Len %d, want 2 and 0", events.Cap(), events.Len())
	}
	// Three ready sources, room for two: the third waits for the next call.
	for i := range 3 {
		a, b := socketPair(t)
		write(t, b, "x")
		if err := p.Register(a, poll.Token(i), poll.Readable, poll.Level); err != nil {
			t.Fatal(err)
		}
	}
	n, err := p.Poll(events, time.Second)
	if n != 2 || err != nil || events.Len() != 2 {
		t.Fatalf("Poll(events of capacity 2) = %d, %v; want 2", n, err)
	}
	seen := make(map[poll.Token]bool)
	for range 2 {
		for ev := range events.All() {
			seen[ev.Token] = true
		}
		if _, err := p.Poll(events, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 3 {
		t.Errorf("tokens seen over two polls: %v, want all three", seen)
	}
}

// closedFd returns a descriptor number that is not open.
func closedFd(t *testing.T) int {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fds[0])
	unix.Close(fds[1])
	return fds[0]
}

func TestErrorsNameTheSystemCall(t *testing.T) {
	p := newPoll(t)
	err := p.Register(fd(closedFd(t)), 1, poll.Readable, poll.Level)
	if err == nil || !strings.HasSuffix(err.Error(), ": bad file descriptor") {
		t.Errorf("Register(closed fd) = %v, want \"<syscall>: bad file descriptor\"", err)
	}
}
