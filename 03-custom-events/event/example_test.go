package event_test

import (
	"fmt"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/03-custom-events/event"
)

// A worker goroutine hands a result to the polling goroutine: it publishes
// the result, then Sets the user event; the poller wakes with the event's
// token, Clears, and then reads the result.
func Example() {
	p, err := poll.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	reg, set, err := event.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer reg.Close()
	const wake poll.Token = 1
	if err := reg.Register(p, wake, poll.Level); err != nil {
		fmt.Println(err)
		return
	}

	results := make(chan string, 1) // the shared state: a queue
	go func() {
		results <- "file read" // publish first,
		set.Set()              // then wake the poller
	}()

	events := poll.NewEvents(8)
	if _, err := p.Poll(events, 5*time.Second); err != nil {
		fmt.Println(err)
		return
	}
	for ev := range events.All() {
		fmt.Println(ev)
		if ev.Token == wake {
			reg.Clear()                       // consume the wakeup first,
			fmt.Println("result:", <-results) // then look at the queue
		}
	}
	// Output:
	// token 1: readable
	// result: file read
}
