package executor

import (
	"sync/atomic"
	"testing"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestDispatchWakesTheWaiterOnce grades exercise ex_takewaker. An event for
// a direction marks it ready and wakes the task waiting for it, once: a
// second event, with nobody waiting any more, wakes nobody.
func TestDispatchWakesTheWaiterOnce(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	defer ex.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.SetNonblock(fds[0], true)
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	src := &ioSource{}
	if err := ex.register(src, fds[0]); err != nil {
		t.Fatal(err)
	}
	defer ex.deregister(src)

	for _, dir := range []struct {
		name  string
		ev    poll.Event
		ready *bool
		slot  *future.Waker
	}{
		{"readable", poll.Event{Token: src.tok, Readable: true}, &src.readable, &src.readWaker},
		{"writable", poll.Event{Token: src.tok, Writable: true}, &src.writable, &src.writeWaker},
	} {
		t.Run(dir.name, func(t *testing.T) {
			var wakes atomic.Int32
			*dir.ready = false                                   // the last operation said would-block...
			*dir.slot = future.WakeFunc(func() { wakes.Add(1) }) // ...and its task waits
			ex.dispatch(dir.ev)
			if n := wakes.Load(); n != 1 {
				t.Fatalf("a %s event woke the waiting task %d times, want 1: the event must wake the waker it finds in the slot, or the task sleeps forever (a lost wakeup)", dir.name, n)
			}
			if !*dir.ready {
				t.Errorf("after a %s event the direction is still marked not ready: the woken task would skip its system call and wait for an edge that already came", dir.name)
			}
			ex.dispatch(dir.ev) // another edge; the task has not polled since, so waits for nothing here
			if n := wakes.Load(); n != 1 || *dir.slot != nil {
				t.Errorf("a second %s event woke the task again (%d wakes in all, slot empty: %v): a waker is good for one wake; dispatch must take it out of the slot, and the task stores a new one when it waits again", dir.name, n, *dir.slot == nil)
			}
		})
	}
}
