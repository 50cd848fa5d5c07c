package executor

import (
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"go.uber.org/goleak"
)

// childEnv selects a subprocess scenario (fdlimit_linux_test.go); TestMain
// runs it instead of the tests, before the testing package arms any Go timer.
const childEnv = "EXECUTOR_TEST_CHILD"

func TestMain(m *testing.M) {
	if child := os.Getenv(childEnv); child != "" {
		os.Exit(runChild(child)) // a subprocess test (fdlimit_test.go), before any Go timer exists
	}
	goleak.VerifyTestMain(m)
}

// newExecutor returns an executor whose debug log goes to t.Log when the
// test runs with -v, and nowhere otherwise.
func newExecutor(t testing.TB, opts Options) *Executor {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
		if testing.Verbose() && os.Getenv("LOG_LEVEL") == "debug" {
			opts.Logger = slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	}
	ex, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return ex
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// blockOn runs fut on ex with a watchdog (see watchBlockOn) and returns
// its value. Every test here finishes in well under a second; ten seconds
// leave room for -race on a loaded machine.
func blockOn[T any](t *testing.T, ex *Executor, fut future.Future[T]) T {
	t.Helper()
	return blockOnWithin(t, 10*time.Second, ex, fut)
}

func blockOnWithin[T any](t *testing.T, d time.Duration, ex *Executor, fut future.Future[T]) T {
	t.Helper()
	v, err := watchBlockOn(t, d, ex, fut)
	if err != nil {
		t.Errorf("BlockOn: %v", err)
	}
	return v
}

// lostWakeupAfter is how long the loop may sleep in Poll while woken tasks
// wait in its inbox before watchBlockOn calls it a lost wakeup. A working
// loop is out of Poll within microseconds of such a wake.
const lostWakeupAfter = 2 * time.Second

// afterAHang bounds every BlockOn once one BlockOn of this run missed its
// deadline: the executor hangs, most likely in every later test too, and
// each of them need not wait out its full deadline to say so.
const afterAHang = 2 * time.Second

var hungBefore atomic.Bool // a watchBlockOn of this run missed its deadline

// watchBlockOn runs BlockOn(ex, fut) on another goroutine and waits for it
// on this one. It fails the test if BlockOn has not returned after d: a
// task waits for a wake that never comes (a lost wakeup), a task starves
// the others, or the machine is very slow. If the loop sleeps in Poll with woken tasks in its inbox for
// lostWakeupAfter, nothing will ever wake it: the loop itself loses
// wakeups, so every later test (and Example, which has no watchdog) would
// hang too. Then it ends the whole run at once with a panic that names the
// lost wakeup.
func watchBlockOn[T any](t *testing.T, d time.Duration, ex *Executor, fut future.Future[T]) (T, error) {
	t.Helper()
	if hungBefore.Load() {
		d = min(d, afterAHang)
	}
	var v T
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		v, err = BlockOn(ex, fut)
	}()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var stuckSince time.Time
	for {
		select {
		case <-done:
			return v, err
		case <-deadline.C:
			hungBefore.Store(true)
			t.Fatalf("BlockOn did not finish within %v: stuck (a task waits for a wake that never comes, a lost wakeup; or one task starves the others) or very slow", d)
		case now := <-tick.C:
			if !ex.sleeping.Load() || ex.inboxLen.Load() == 0 {
				stuckSince = time.Time{}
				continue
			}
			if stuckSince.IsZero() {
				stuckSince = now
			} else if now.Sub(stuckSince) >= lostWakeupAfter {
				panic(fmt.Sprintf("lost wakeup: the executor's loop has slept in Poll for %v with %d woken tasks in its inbox; "+
					"the wake that should have ended the sleep was lost (stopping the run: every later test would hang the same way)",
					lostWakeupAfter, ex.inboxLen.Load()))
			}
		}
	}
}

// async is future.Async with a shorter name.
func async[T any](body func(co *future.Co) T) future.Future[T] { return future.Async(body) }

func await[T any](co *future.Co, fut future.Future[T]) T { return future.Await(co, fut) }

// pendingOnce is a hand-written future that is pending the first time and
// counts its polls; onFirst runs inside the first poll.
type pendingOnce struct {
	polls   atomic.Int32
	onFirst func(cx *future.Context)
}

func (f *pendingOnce) Poll(cx *future.Context) future.Poll[int] {
	if f.polls.Add(1) == 1 {
		if f.onFirst != nil {
			f.onFirst(cx)
		}
		return future.Pending[int]()
	}
	return future.PollReady(int(f.polls.Load()))
}

// forever is a future that never finishes and records whether it was dropped.
type forever struct{ dropped bool }

func (f *forever) Poll(*future.Context) future.Poll[int] { return future.Pending[int]() }
func (f *forever) Drop()                                 { f.dropped = true }

// wakeCounter is a waker that counts its wakes.
type wakeCounter struct{ n atomic.Int32 }

func (w *wakeCounter) Wake() { w.n.Add(1) }
