package channel_test

import (
	"fmt"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/07-async-chat/channel"
)

// A producer task sends three words into a channel of capacity 1, so it
// waits for the consumer after each; the consumer reads until Close.
func Example() {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ch := channel.New[string](1)
	executor.SpawnDetached(ex, future.Async(func(co *future.Co) struct{} {
		for _, w := range []string{"tasks", "talk", "too"} {
			fmt.Println("send", w)
			future.Await(co, ch.Send(w))
		}
		ch.Close()
		return struct{}{}
	}))
	executor.BlockOn(ex, future.Async(func(co *future.Co) struct{} {
		for {
			w, err := future.Await(co, ch.Recv()).Get()
			if err != nil {
				fmt.Println("recv:", err)
				return struct{}{}
			}
			fmt.Println("recv", w)
		}
	}))
	// Output:
	// send tasks
	// send talk
	// recv tasks
	// send too
	// recv talk
	// recv too
	// recv: channel: closed
}
