package executor

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
)

// A JoinHandle awaited by one task and then by another wakes the second
// one when the task ends: its waiter is the latest pending poll. A handle
// that kept its first waiter would wake task A, which no longer waits, and
// leave B asleep forever.
func TestJoinHandleWakesLatestWaiter(t *testing.T) {
	ex := newExecutor(t, Options{})
	got := blockOn(t, ex, async(func(co *future.Co) string {
		var finish Notify
		target := Spawn[struct{}](ex, &finish)
		a := Spawn(ex, future.PollFn(func(cx *future.Context) future.Poll[int] {
			target.Poll(cx) // awaits the handle once, then waits for nothing
			return future.Pending[int]()
		}))
		await(co, YieldNow())  // a has polled the handle
		b := Spawn(ex, target) // b polls it next: the latest waiter
		await(co, YieldNow())
		finish.Notify()
		r := await(co, Timeout(ex, 2*time.Second, future.Future[Result[Result[struct{}]]](b)))
		a.Abort()
		if r.Err != nil {
			return "lost wakeup: the task ended but its JoinHandle did not wake task B, the latest task to await it (it kept an earlier waiter)"
		}
		return "ok"
	}))
	if got != "ok" {
		t.Error(got)
	}
}

// panicsOwningStream is a hand-written future that owns a Stream and panics
// on its first poll. Its Drop closes the stream, as a connection handler's
// would.
type panicsOwningStream struct {
	s       *Stream
	dropped bool
}

func (f *panicsOwningStream) Poll(*future.Context) future.Poll[struct{}] {
	panic("a handler panics on purpose")
}

func (f *panicsOwningStream) Drop() {
	f.dropped = true
	f.s.Close()
}

// A task that panics is dropped at once, as tokio drops a panicked task's
// future: what its future owns is closed now, not when BlockOn ends. Here
// the peer of the socket the handler owned reads EOF while the loop goes on.
func TestPanickedTaskIsDropped(t *testing.T) {
	spawns := []struct {
		name  string
		spawn func(ex *Executor, fut future.Future[struct{}])
	}{
		{"Spawn", func(ex *Executor, fut future.Future[struct{}]) { Spawn(ex, fut) }},
		{"SpawnDetached", SpawnDetached},
	}
	for _, tc := range spawns {
		t.Run(tc.name, func(t *testing.T) {
			testutil.CheckNoFDLeak(t)
			ex := newExecutor(t, Options{})
			got := blockOn(t, ex, async(func(co *future.Co) string {
				c, s, l, err := pair(co, ex)
				if err != nil {
					return err.Error()
				}
				defer l.Close()
				defer c.Close()
				handler := &panicsOwningStream{s: s}
				tc.spawn(ex, handler)
				r := await(co, Timeout(ex, 2*time.Second, c.Read(make([]byte, 1))))
				switch {
				case ex.Stats().Panics != 1:
					return "the handler did not panic"
				case !handler.dropped:
					return "the panicked task's future was not dropped"
				case r.Err != nil:
					return "the peer of the panicked handler's socket read nothing for 2s: the socket was left open"
				case !errors.Is(r.Value.Err, io.EOF):
					return "the peer read " + errString(r.Value.Err) + ", want EOF"
				}
				return "ok"
			}))
			if got != "ok" {
				t.Error(got)
			}
		})
	}
}
