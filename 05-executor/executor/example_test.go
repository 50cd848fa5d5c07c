package executor_test

import (
	"fmt"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// Two tasks take turns: each prints, then sleeps, so the timers decide the
// order. The main future awaits both handles.
func Example() {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	worker := func(name string, pause time.Duration) future.Future[string] {
		return future.Async(func(co *future.Co) string {
			for i := range 2 {
				fmt.Printf("%s: step %d\n", name, i)
				future.Await(co, ex.Sleep(pause))
			}
			return name + " done"
		})
	}
	a := executor.Spawn(ex, worker("a", 10*time.Millisecond))
	b := executor.Spawn(ex, worker("b", 25*time.Millisecond))
	msg, err := executor.BlockOn(ex, future.Async(func(co *future.Co) string {
		return future.Await(co, a).Value + ", " + future.Await(co, b).Value
	}))
	fmt.Println(msg, err)
	// Output:
	// a: step 0
	// b: step 0
	// a: step 1
	// b: step 1
	// a done, b done <nil>
}
