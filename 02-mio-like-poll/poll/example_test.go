package poll_test

import (
	"fmt"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"golang.org/x/sys/unix"
)

// fd makes a bare descriptor a poll.Source: anything with an Fd method is.
type fd int

func (f fd) Fd() int { return int(f) }

// Register one end of a socket pair, write a byte into the other end, and
// Poll reports the first end readable, tagged with its token.
func Example() {
	p, err := poll.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()

	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])

	if err := p.Register(fd(fds[0]), poll.Token(1), poll.Readable, poll.Edge); err != nil {
		fmt.Println(err)
		return
	}
	unix.Write(fds[1], []byte("!"))

	events := poll.NewEvents(8)
	if _, err := p.Poll(events, time.Second); err != nil {
		fmt.Println(err)
		return
	}
	for ev := range events.All() {
		fmt.Println(ev)
	}
	// Output:
	// token 1: readable
}
