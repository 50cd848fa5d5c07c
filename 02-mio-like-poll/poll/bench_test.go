// What one Poll call costs, with nothing ready and with one ready source:
//
//	go test -run '^$' -bench . -benchtime 20000x ./02-mio-like-poll/poll
package poll_test

import (
	"testing"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"golang.org/x/sys/unix"
)

func benchPoll(b *testing.B, ready bool) {
	p, err := poll.New()
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	if err := p.Register(fd(fds[0]), 1, poll.Readable, poll.Level); err != nil {
		b.Fatal(err)
	}
	if ready {
		unix.Write(fds[1], []byte("x")) // never read: level-triggered, ready on every call
	}
	want := 0
	if ready {
		want = 1
	}
	events := poll.NewEvents(8)
	for b.Loop() {
		if n, err := p.Poll(events, 0); n != want || err != nil {
			b.Fatalf("Poll(events, 0) = %d, %v; want %d", n, err, want)
		}
	}
}

func BenchmarkPollNothingReady(b *testing.B) { benchPoll(b, false) }
func BenchmarkPollOneReady(b *testing.B)     { benchPoll(b, true) }
