package executor

import (
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
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

// blockOn runs fut on ex with a watchdog and returns its value.
func blockOn[T any](t *testing.T, ex *Executor, fut future.Future[T]) T {
	t.Helper()
	return blockOnWithin(t, 20*time.Second, ex, fut)
}

func blockOnWithin[T any](t *testing.T, d time.Duration, ex *Executor, fut future.Future[T]) T {
	t.Helper()
	var v T
	testutil.Within(t, d, "BlockOn", func() {
		var err error
		v, err = BlockOn(ex, fut)
		if err != nil {
			t.Errorf("BlockOn: %v", err)
		}
	})
	return v
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
