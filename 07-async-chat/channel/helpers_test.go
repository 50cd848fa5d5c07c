package channel

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// countWaker counts its wakes: the tests drive futures by hand and check
// exactly who was woken.
type countWaker struct{ n atomic.Int32 }

func (w *countWaker) Wake()      { w.n.Add(1) }
func (w *countWaker) wakes() int { return int(w.n.Load()) }
func (w *countWaker) reset() int { return int(w.n.Swap(0)) }
func newCx() (*future.Context, *countWaker) {
	w := new(countWaker)
	return future.NewContext(w), w
}

// pending fails the test unless err says "pending".
func pending(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, executor.ErrPending) {
		t.Fatalf("%s = %v, want executor.ErrPending", what, err)
	}
}

// blockOn runs fut on a new executor under a watchdog.
func blockOn[T any](t *testing.T, fut future.Future[T]) T {
	t.Helper()
	ex, err := executor.New(executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return blockOnEx(t, ex, fut)
}

func blockOnEx[T any](t *testing.T, ex *executor.Executor, fut future.Future[T]) T {
	t.Helper()
	var v T
	testutil.Within(t, 20*time.Second, "BlockOn", func() {
		var err error
		if v, err = executor.BlockOn(ex, fut); err != nil {
			t.Errorf("BlockOn: %v", err)
		}
	})
	return v
}
