package event

import (
	"errors"
	"testing"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"golang.org/x/sys/unix"
)

// After Close, the eventfd's number is free and the next open file may get
// it. A Set must then fail, never write 8 bytes into someone else's file.
func TestSetAfterCloseNeverWritesToAReusedFd(t *testing.T) {
	_, reg, set := setup(t, 1, poll.Level)
	old := reg.s.fd
	if err := reg.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	var pipe [2]int
	if err := unix.Pipe2(pipe[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatalf("pipe2: %v", err)
	}
	defer unix.Close(pipe[0])
	defer unix.Close(pipe[1])
	if pipe[0] != old && pipe[1] != old {
		t.Logf("the kernel did not reuse fd %d (pipe is %v); still checking Set", old, pipe)
	}
	if err := set.Set(); !errors.Is(err, ErrClosed) {
		t.Errorf("Set() after Close = %v, want ErrClosed", err)
	}
	var buf [16]byte
	if n, err := unix.Read(pipe[0], buf[:]); err != unix.EAGAIN {
		t.Errorf("pipe read after Set = %d, %v: want EAGAIN (nothing written)", n, err)
	}
}
