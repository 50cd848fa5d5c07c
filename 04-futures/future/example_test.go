package future_test

import (
	"fmt"

	"github.com/async-from-scratch/course/04-futures/future"
)

// Polling an Async future by hand: pending while the awaited future is, woken
// when it becomes ready, then ready.
func ExampleAsync() {
	var slot future.WakerSlot
	ready := false
	leaf := future.PollFn(func(cx *future.Context) future.Poll[int] {
		if ready {
			return future.PollReady(20)
		}
		slot.Register(cx.Waker()) // arrange the wake-up, then say pending
		return future.Pending[int]()
	})
	fut := future.Async(func(co *future.Co) int {
		x := future.Await(co, leaf) // suspends the body while leaf is pending
		return x + 22
	})

	cx := future.NewContext(future.WakeFunc(func() { fmt.Println("woken") }))
	fmt.Println(fut.Poll(cx))
	ready = true
	slot.Wake()
	fmt.Println(fut.Poll(cx))
	// Output:
	// Pending
	// woken
	// Ready(42)
}

func ExampleJoin() {
	cx := future.NewContext(future.Noop())
	fut := future.Join(future.Ready("a"), future.Ready(1))
	fmt.Println(fut.Poll(cx))
	// Output: Ready((a, 1))
}

func ExampleSelect() {
	cx := future.NewContext(future.Noop())
	never := future.PollFn(func(*future.Context) future.Poll[int] {
		return future.Pending[int]() // NOTE: arranges no wake-up; fine only because it loses
	})
	fut := future.Select(never, future.Ready("second"))
	fmt.Println(fut.Poll(cx))
	// Output: Ready(Right(second))
}

func ExampleMap() {
	cx := future.NewContext(future.Noop())
	fut := future.Map(future.Ready(21), func(v int) int { return v * 2 })
	fmt.Println(fut.Poll(cx))
	// Output: Ready(42)
}
