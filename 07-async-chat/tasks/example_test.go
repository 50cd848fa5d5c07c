package tasks_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/07-async-chat/tasks"
)

// A group of three workers where the first error cancels the rest: the
// slow workers are dropped at their await, and their deferred calls run.
func ExampleGroup() {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	worker := func(name string, d time.Duration, fail bool) future.Future[error] {
		return future.Async(func(co *future.Co) error {
			defer fmt.Println(name, "ends")
			future.Await(co, ex.Sleep(d))
			if fail {
				return errors.New(name + " failed")
			}
			return nil
		})
	}
	err, _ = executor.BlockOn(ex, future.Async(func(co *future.Co) error {
		g := tasks.NewGroup(ex)
		g.CancelOnError = true
		defer g.Drop()
		g.Spawn(worker("a", time.Hour, false))
		g.Spawn(worker("b", time.Millisecond, true))
		g.Spawn(worker("c", time.Hour, false))
		return future.Await(co, g.Wait())
	}))
	fmt.Println("Wait:", err)
	// Unordered output:
	// b ends
	// a ends
	// c ends
	// Wait: b failed
}

// Select over three futures of one type: the first ready wins, the others
// are dropped.
func ExampleSelect() {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	after := func(d time.Duration, s string) future.Future[string] {
		return future.Map(ex.Sleep(d), func(struct{}) string { return s })
	}
	won, _ := executor.BlockOn(ex, tasks.Select(after(time.Hour, "hour"), after(time.Millisecond, "millisecond"), after(time.Minute, "minute")))
	fmt.Println(won.Index, won.Value)
	// Output:
	// 1 millisecond
}
