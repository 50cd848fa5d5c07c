// The promises where epoll and kqueue differ underneath: one Event per source,
// Oneshot per source, descriptor reuse. They run on whichever backend the OS
// has, so on Linux they pin down epoll's behaviour and on macOS and FreeBSD
// they prove the kqueue backend matches it.
//
//	go test -run 'PerSource|Oneshot|Reused|Stale' -v ./02-mio-like-poll/poll
package poll_test

import (
	"sync"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// kqueue reports reading and writing as two filters; Poll still reports a
// source once, with both directions in one Event, as epoll does.
func TestOneEventPerSourcePerPoll(t *testing.T) {
	for _, mode := range []poll.Mode{poll.Level, poll.Edge, poll.Oneshot} {
		t.Run(mode.String(), func(t *testing.T) {
			p := newPoll(t)
			a, b := socketPair(t)
			write(t, b, "x") // a is readable, and writable (its send buffer is empty)
			if err := p.Register(a, 7, poll.Readable|poll.Writable, mode); err != nil {
				t.Fatalf("Register = %v", err)
			}
			got := pollOnce(t, p, time.Second)
			want := []poll.Event{{Token: 7, Readable: true, Writable: true}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%v: a source ready both ways (-want +got):\n%s", mode, diff)
			}
		})
	}
}

// Oneshot silences the whole source after its one event, not only the
// direction that fired (kqueue's EV_DISPATCH alone would leave the other
// filter armed).
func TestOneshotSilencesBothDirections(t *testing.T) {
	p := newPoll(t)
	a, b := socketPair(t)
	if err := p.Register(a, 7, poll.Readable|poll.Writable, poll.Oneshot); err != nil {
		t.Fatalf("Register = %v", err)
	}
	got := pollOnce(t, p, time.Second)
	if diff := cmp.Diff([]poll.Event{{Token: 7, Writable: true}}, got); diff != "" {
		t.Fatalf("first Poll (-want +got):\n%s", diff)
	}
	write(t, b, "x") // now readable too, but the source has had its event
	if got := pollOnce(t, p, 50*time.Millisecond); len(got) != 0 {
		t.Fatalf("Poll after the oneshot event, with new data = %v: the source reported twice before Reregister", got)
	}
	if err := p.Reregister(a, 7, poll.Readable|poll.Writable, poll.Oneshot); err != nil {
		t.Fatalf("Reregister = %v", err)
	}
	got = pollOnce(t, p, time.Second)
	if diff := cmp.Diff([]poll.Event{{Token: 7, Readable: true, Writable: true}}, got); diff != "" {
		t.Errorf("Poll after Reregister (-want +got):\n%s", diff)
	}
}

// rawSocketPair is socketPair without the cleanup: these tests close and
// reuse the numbers themselves.
func rawSocketPair(t *testing.T) (a, b int) {
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
	}
	return fds[0], fds[1]
}

// reuseNumber makes the closed number old refer to the socket c, as if the
// kernel had handed old's freed number to a new connection. c must have
// been made while old was still open, so the two numbers differ.
func reuseNumber(t *testing.T, c fd, old int) {
	t.Helper()
	if err := unix.Dup2(int(c), old); err != nil {
		t.Fatalf("dup2: %v", err)
	}
}

// A caller that closes a descriptor without Deregister has a bug, but one
// the kernel forgives: the closed descriptor leaves the interest list. So
// the number, reused by a new connection, can be registered again, on every
// backend (the kqueue backend used to answer EEXIST forever).
func TestRegisterReusedNumberAfterMissingDeregister(t *testing.T) {
	p := newPoll(t)
	old, peer := rawSocketPair(t)
	defer unix.Close(peer)
	if err := p.Register(fd(old), 1, poll.Readable, poll.Level); err != nil {
		t.Fatalf("Register = %v", err)
	}
	c, d := socketPair(t) // made while old is open, so under another number
	unix.Close(old)       // no Deregister
	reuseNumber(t, c, old)
	defer unix.Close(old)
	if err := p.Register(fd(old), 2, poll.Readable, poll.Level); err != nil {
		t.Fatalf("Register of the reused number %d = %v, want nil (the old registration died with close)", old, err)
	}
	defer p.Deregister(fd(old))
	write(t, d, "x")
	got := pollOnce(t, p, time.Second)
	if diff := cmp.Diff([]poll.Event{{Token: 2, Readable: true}}, got); diff != "" {
		t.Errorf("events for the new owner (-want +got):\n%s", diff)
	}
	// The registry is right again: a second Register is still refused.
	if err := p.Register(fd(old), 3, poll.Readable, poll.Level); err == nil {
		t.Error("second Register of the reused number = nil, want EEXIST")
	}
}

// The ABA race (pitfall 9), made deterministic: the kernel has returned a
// record for descriptor x, and before Poll looks at it another goroutine
// deregisters x, closes it, and registers a new, quiet connection under the
// same number with a new token. The old record may reach the caller with
// the old token (epoll: the token travels in the record), whose generation
// tells the caller it is stale, or not at all (kqueue), but never with the
// new owner's token, which no generation check could catch.
func TestStaleRecordNeverCarriesTheNewOwnersToken(t *testing.T) {
	p := newPoll(t)
	x, peer := rawSocketPair(t)
	defer unix.Close(peer)
	if err := p.Register(fd(x), 1, poll.Readable, poll.Level); err != nil {
		t.Fatalf("Register = %v", err)
	}
	write(t, fd(peer), "for the old owner")
	c, d := socketPair(t)
	var once sync.Once
	poll.SetTestHookAfterWait(func() {
		once.Do(func() {
			if err := p.Deregister(fd(x)); err != nil {
				t.Errorf("Deregister = %v", err)
			}
			unix.Close(x)
			reuseNumber(t, c, x)
			if err := p.Register(fd(x), 2, poll.Readable, poll.Level); err != nil {
				t.Errorf("Register of the reused number = %v", err)
			}
		})
	})
	defer poll.SetTestHookAfterWait(nil)
	defer unix.Close(x)
	defer p.Deregister(fd(x))
	for _, ev := range pollOnce(t, p, 100*time.Millisecond) {
		if ev.Token == 2 {
			t.Errorf("Poll = %v: the old descriptor's record was reported with the new owner's token", ev)
		}
	}
	// The new owner still hears about its own data.
	write(t, d, "for the new owner")
	got := pollOnce(t, p, time.Second)
	if diff := cmp.Diff([]poll.Event{{Token: 2, Readable: true}}, got); diff != "" {
		t.Errorf("events for the new owner (-want +got):\n%s", diff)
	}
}
