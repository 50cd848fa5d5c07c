package tasks

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newEx(t *testing.T) *executor.Executor {
	t.Helper()
	ex, err := executor.New(executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func blockOn[T any](t *testing.T, ex *executor.Executor, fut future.Future[T]) T {
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

// journal records what tasks did, in order (all on the loop goroutine).
type journal []string

func (j *journal) add(format string, args ...any) { *j = append(*j, fmt.Sprintf(format, args...)) }

// sleeper sleeps d, then returns err; if it is dropped in the sleep, its
// deferred call records that, and it never records "woke".
func sleeper(ex *executor.Executor, j *journal, name string, d time.Duration, err error) future.Future[error] {
	return future.Async(func(co *future.Co) error {
		finished := false
		defer func() {
			if !finished {
				j.add("%s dropped", name)
			}
		}()
		future.Await(co, ex.Sleep(d))
		j.add("%s woke", name)
		finished = true
		return err
	})
}

func TestNextReportsInTheOrderTasksEnd(t *testing.T) {
	ex := newEx(t)
	var j journal
	g := NewGroup(ex)
	ids := map[uint64]string{}
	ids[g.Spawn(sleeper(ex, &j, "slow", 30*time.Millisecond, nil))] = "slow"
	ids[g.Spawn(sleeper(ex, &j, "fast", time.Millisecond, errors.New("boom")))] = "fast"
	ids[g.Spawn(sleeper(ex, &j, "mid", 10*time.Millisecond, nil))] = "mid"
	got := blockOn(t, ex, future.Async(func(co *future.Co) []string {
		var got []string
		for {
			d := future.Await(co, g.Next())
			if errors.Is(d.Err, ErrEmpty) {
				return got
			}
			got = append(got, fmt.Sprintf("%s:%v", ids[d.ID], d.Err))
		}
	}))
	if want := []string{"fast:boom", "mid:<nil>", "slow:<nil>"}; !slices.Equal(got, want) {
		t.Errorf("Next reported %v, want %v", got, want)
	}
}

func TestWaitReturnsTheFirstErrorAfterAllEnd(t *testing.T) {
	ex := newEx(t)
	var j journal
	g := NewGroup(ex)
	g.Spawn(sleeper(ex, &j, "a", 20*time.Millisecond, errors.New("second")))
	g.Spawn(sleeper(ex, &j, "b", time.Millisecond, errors.New("first")))
	g.Spawn(sleeper(ex, &j, "c", 10*time.Millisecond, nil))
	err := blockOn(t, ex, g.Wait())
	if err == nil || err.Error() != "first" {
		t.Errorf("Wait() = %v, want first", err)
	}
	if len(j) != 3 || slices.Contains(j, "a dropped") {
		t.Errorf("without CancelOnError every task runs to its end; journal %v", j)
	}
}

func TestCancelOnErrorDropsTheRestAtTheirNextAwait(t *testing.T) {
	ex := newEx(t)
	var j journal
	g := NewGroup(ex)
	g.CancelOnError = true
	g.Spawn(sleeper(ex, &j, "a", time.Hour, nil))
	g.Spawn(sleeper(ex, &j, "b", time.Millisecond, errors.New("b failed")))
	g.Spawn(sleeper(ex, &j, "c", time.Hour, nil))
	err := blockOn(t, ex, g.Wait())
	if err == nil || err.Error() != "b failed" {
		t.Errorf("Wait() = %v, want b failed", err)
	}
	slices.Sort(j)
	if want := []string{"a dropped", "b woke", "c dropped"}; !slices.Equal(j, want) {
		t.Errorf("journal %v, want %v (the first error cancels the rest; cancelled tasks never run past their await)", j, want)
	}
}

func TestCancelReportsEachMemberAborted(t *testing.T) {
	ex := newEx(t)
	var j journal
	g := NewGroup(ex)
	for i := range 3 {
		g.Spawn(sleeper(ex, &j, fmt.Sprint(i), time.Hour, nil))
	}
	got := blockOn(t, ex, future.Async(func(co *future.Co) []error {
		future.Await(co, executor.YieldNow()) // let them start sleeping
		g.Cancel()
		var errs []error
		for d := future.Await(co, g.Next()); !errors.Is(d.Err, ErrEmpty); d = future.Await(co, g.Next()) {
			errs = append(errs, d.Err)
		}
		return errs
	}))
	if len(got) != 3 {
		t.Fatalf("Next reported %d ends after Cancel, want 3", len(got))
	}
	for _, err := range got {
		if !errors.Is(err, executor.ErrAborted) {
			t.Errorf("a cancelled member ended with %v, want executor.ErrAborted", err)
		}
	}
	if len(j) != 3 || slices.ContainsFunc(j, func(s string) bool { return !(len(s) > 8 && s[len(s)-7:] == "dropped") }) {
		t.Errorf("journal %v, want three drops and no wake", j)
	}
}

// A member that cancels its own group is dropped when its poll returns: it
// never runs past its next await.
func TestAMemberCancellingItsGroupStopsAtItsNextAwait(t *testing.T) {
	ex := newEx(t)
	var j journal
	g := NewGroup(ex)
	g.Spawn(sleeper(ex, &j, "other", time.Hour, nil))
	g.Spawn(future.Async(func(co *future.Co) error {
		defer j.add("self unwound")
		future.Await(co, executor.YieldNow())
		g.Cancel()
		j.add("self went on until its await")
		future.Await(co, ex.Sleep(time.Millisecond))
		j.add("self ran past its await")
		return nil
	}))
	blockOn(t, ex, g.Wait())
	if slices.Contains(j, "self ran past its await") || !slices.Contains(j, "self unwound") || !slices.Contains(j, "other dropped") {
		t.Errorf("journal %v: want the member unwound at its next await and the other dropped", j)
	}
}

// Structured concurrency: a parent that owns a group and is dropped takes
// its children with it.
func TestDroppingTheParentCancelsItsGroup(t *testing.T) {
	ex := newEx(t)
	var j journal
	var g *Group
	parent := executor.Spawn(ex, future.Async(func(co *future.Co) struct{} {
		g = NewGroup(ex)
		defer g.Drop()
		g.Spawn(sleeper(ex, &j, "child 1", time.Hour, nil))
		g.Spawn(sleeper(ex, &j, "child 2", time.Hour, nil))
		future.Await(co, g.Wait())
		j.add("parent finished")
		return struct{}{}
	}))
	blockOn(t, ex, future.Async(func(co *future.Co) struct{} {
		future.Await(co, ex.Sleep(5*time.Millisecond))
		parent.Abort()
		future.Await(co, executor.YieldNow())
		if g.Len() != 0 {
			t.Errorf("after the parent was dropped, %d children still run", g.Len())
		}
		if g.Spawn(sleeper(ex, &j, "late", 0, nil)) != 0 {
			t.Error("Spawn on a dropped group started a task")
		}
		return struct{}{}
	}))
	slices.Sort(j)
	if want := []string{"child 1 dropped", "child 2 dropped"}; !slices.Equal(j, want) {
		t.Errorf("journal %v, want %v", j, want)
	}
}

func TestAPanickingMemberIsReportedAndTheOthersGoOn(t *testing.T) {
	ex := newEx(t)
	var j journal
	g := NewGroup(ex)
	g.Spawn(future.Async(func(co *future.Co) error {
		future.Await(co, executor.YieldNow())
		panic("member bug")
	}))
	g.Spawn(sleeper(ex, &j, "ok", 5*time.Millisecond, nil))
	d := blockOn(t, ex, future.Async(func(co *future.Co) Done {
		d := future.Await(co, g.Next())
		future.Await(co, g.Wait())
		return d
	}))
	var pe *executor.PanicError
	if !errors.As(d.Err, &pe) || pe.Value != "member bug" {
		t.Errorf("the panicking member ended with %v, want a *executor.PanicError of \"member bug\"", d.Err)
	}
	if !slices.Equal(j, []string{"ok woke"}) {
		t.Errorf("journal %v, want the other member to finish", j)
	}
}

func TestDiscardResultsKeepsNoQueue(t *testing.T) {
	ex := newEx(t)
	g := NewGroup(ex)
	g.DiscardResults = true
	var j journal
	for i := range 100 {
		g.Spawn(sleeper(ex, &j, fmt.Sprint(i), 0, nil))
	}
	blockOn(t, ex, g.Wait())
	if len(g.finished) != 0 || len(j) != 100 {
		t.Errorf("%d results queued (want 0), %d tasks ran (want 100)", len(g.finished), len(j))
	}
}
