//go:build linux

// go test -run . -v ./08-io-uring/loop
package loop

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

func TestRunReturnsTheRootsValue(t *testing.T) {
	l := newLoop(t, Options{})
	if got := run(t, l, "Run(Ready(42))", future.Ready(42)); got != 42 {
		t.Errorf("Run(Ready(42)) = %d, want 42", got)
	}
	if _, err := Run(l, future.Ready(1)); !errors.Is(err, ErrClosed) {
		t.Errorf("second Run = %v, want ErrClosed", err)
	}
}

func TestAcceptRecvSendOverTCP(t *testing.T) {
	l := newLoop(t, Options{})
	ln := listen(t)
	c := dial(t, ln)
	clientDone := make(chan struct{})
	defer func() { <-clientDone }()
	go func() {
		defer close(clientDone)
		c.Write([]byte("hello, ring"))
		c.CloseWrite()
		got, err := io.ReadAll(c)
		if err != nil {
			t.Errorf("client: %v", err)
		}
		if string(got) != "hello, ring" {
			t.Errorf("client read back %q, want %q", got, "hello, ring")
		}
	}()
	echoed := run(t, l, "one echo connection", future.Async(func(co *future.Co) int {
		fd, err := future.Await(co, l.Accept(ln.Fd())).Get()
		if err != nil {
			t.Errorf("Accept: %v", err)
			return 0
		}
		defer future.Await(co, l.CloseFd(fd))
		total := 0
		for {
			b, err := future.Await(co, l.Recv(fd, 0)).Get()
			if err == io.EOF {
				return total
			}
			if err != nil {
				t.Errorf("Recv: %v", err)
				return total
			}
			for from := 0; from < b.Len(); {
				n, err := future.Await(co, l.SendBuf(fd, b, from, 0)).Get()
				if err != nil {
					t.Errorf("SendBuf: %v", err)
					return total
				}
				from += n
			}
			total += b.Len()
			l.Release(b)
		}
	}))
	if echoed != len("hello, ring") {
		t.Errorf("echoed %d bytes, want %d", echoed, len("hello, ring"))
	}
}

// TestDroppedSleepIsCancelled: Select drops the 10 s Sleep; if the drop did
// not cancel its timeout, Run would wait 10 s for its CQE.
func TestDroppedSleepIsCancelled(t *testing.T) {
	l := newLoop(t, Options{})
	start := time.Now()
	r := run(t, l, "Select(Sleep(1h), Sleep(10ms))", future.Select(l.Sleep(time.Hour), l.Sleep(10*time.Millisecond)))
	if r.IsLeft {
		t.Fatal("the one-hour Sleep won")
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Run took %v: the dropped Sleep was not cancelled", el)
	}
	if st := l.Stats(); st.Cancels != 1 || st.Orphans != 1 {
		t.Errorf("Stats: %d cancels, %d orphan CQEs; want 1 and 1", st.Cancels, st.Orphans)
	}
}

// TestWakeFromAnotherGoroutine: the loop sleeps in io_uring_enter; a Notify
// from another goroutine must end that sleep (through the eventfd read in
// flight), or this hangs.
func TestWakeFromAnotherGoroutine(t *testing.T) {
	l := newLoop(t, Options{})
	var stop executor.Notify
	go func() {
		time.Sleep(20 * time.Millisecond)
		stop.Notify()
	}()
	run(t, l, "waiting for a Notify from another goroutine (lost wakeup?)", future.Future[struct{}](&stop))
	if st := l.Stats(); st.Wakeups == 0 {
		t.Errorf("Stats().Wakeups = 0, want at least 1")
	}
}

func TestReadAtReadsAFile(t *testing.T) {
	l := newLoop(t, Options{})
	want := bytes.Repeat([]byte("0123456789"), 1000)
	f := writeTemp(t, want)
	got := run(t, l, "ReadAt", future.Async(func(co *future.Co) []byte {
		var out []byte
		buf := make([]byte, 3000)
		for {
			n, err := future.Await(co, l.ReadAt(int(f.Fd()), buf, int64(len(out)))).Get()
			if err != nil {
				t.Errorf("ReadAt: %v", err)
			}
			if n == 0 || err != nil {
				return out
			}
			out = append(out, buf[:n]...)
		}
	}))
	if !bytes.Equal(got, want) {
		t.Errorf("ReadAt read %d bytes, want the file's %d", len(got), len(want))
	}
}

// TestIdleTimeoutCancelsARecv: a Recv with idle 50 ms on a silent socket
// ends with ErrTimeout (its LINK_TIMEOUT cancelled it).
func TestIdleTimeoutCancelsARecv(t *testing.T) {
	l := newLoop(t, Options{})
	ln := listen(t)
	dial(t, ln) // connected: it waits in the backlog for Accept
	err := run(t, l, "Recv with an idle timeout", future.Async(func(co *future.Co) error {
		fd, err := future.Await(co, l.Accept(ln.Fd())).Get()
		if err != nil {
			return err
		}
		defer closeFd(fd)
		_, err = future.Await(co, l.Recv(fd, 50*time.Millisecond)).Get()
		return err
	}))
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("Recv on a silent client = %v, want ErrTimeout", err)
	}
}

// TestRunDropsUnfinishedAsyncTasks: Run drops a future.Async task that is
// still waiting when the root is ready. Its coroutine must be dropped with
// the thread locked as many times as when it was made: a shutdown that locks
// the thread again dies with "coro: OS thread locking must match".
func TestRunDropsUnfinishedAsyncTasks(t *testing.T) {
	l := newLoop(t, Options{})
	run(t, l, "a root that leaves a task asleep", future.Async(func(co *future.Co) int {
		Spawn(l, future.Async(func(co *future.Co) struct{} {
			future.Await(co, l.Sleep(time.Hour))
			return struct{}{}
		}))
		future.Await(co, l.Sleep(time.Millisecond)) // the task is polled, and waits
		return 0
	}))
	if st := l.Stats(); st.Cancels != 1 || st.Orphans != 1 {
		t.Errorf("Cancels %d, Orphans %d; want the sleeping task's timeout cancelled, and its CQE reaped", st.Cancels, st.Orphans)
	}
}
