package main

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/03-custom-events/event"
)

// spuriousStats is what the spurious demo counts.
type spuriousStats struct {
	sets     int    // Set calls the worker made
	bursts   int    // in how many bursts
	syscalls uint64 // of those, how many reached the kernel
	events   int    // events the loop saw
	polls    int    // Poll calls the loop made
}

// runSpurious is the blog's counter: a worker goroutine calls Set many times
// while the loop counts the events it gets. There are far fewer events than
// Sets: every Set that finds the event already pending coalesces into the
// wakeup on its way. The loop must not assume "one event per Set".
func runSpurious(cfg config) error {
	st, err := countWakeups(cfg.sets)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.out, "worker: %d Set calls in %d bursts, %v apart\n", st.sets, st.bursts, burstPause)
	fmt.Fprintf(cfg.out, "kernel: %d wakeup syscalls (only a Set that found the event idle made one)\n", st.syscalls)
	fmt.Fprintf(cfg.out, "loop:   %d events in %d polls\n", st.events, st.polls)
	if st.events < st.sets {
		fmt.Fprintf(cfg.out, "%d events for %d Sets: wakeups coalesce, so count your work, not your events\n", st.events, st.sets)
	}
	return nil
}

// The worker calls Set in bursts of burstSize with a pause between them, as
// a worker that finishes jobs now and then would; within a burst the Sets
// come faster than any loop can wake up.
const (
	burstSize  = 1000
	burstPause = time.Millisecond
)

// countWakeups runs the worker and the loop and returns the counts.
func countWakeups(sets int) (spuriousStats, error) {
	const wake poll.Token = 0
	var st spuriousStats
	p, err := poll.New()
	if err != nil {
		return st, err
	}
	defer p.Close()
	reg, set, err := event.New()
	if err != nil {
		return st, err
	}
	defer reg.Close()
	if err := reg.Register(p, wake, poll.Level); err != nil {
		return st, err
	}

	var done atomic.Bool // the worker's "work": it says when it is finished
	var werr error
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range sets {
			if i > 0 && i%burstSize == 0 {
				time.Sleep(burstPause) // the loop wakes up, clears, sleeps again
			}
			if i == sets-1 {
				done.Store(true) // publish the state, then Set
			}
			if err := set.Set(); err != nil {
				werr = err
				done.Store(true)
				set.Set() // best effort: the loop must not wait for nothing
				return
			}
		}
	})
	defer wg.Wait()

	events := poll.NewEvents(8)
	for {
		n, err := p.Poll(events, 5*time.Second)
		st.polls++
		if err != nil {
			return st, err
		}
		if n == 0 {
			return st, errors.New("no wakeup for 5s although the worker called Set: a lost wakeup")
		}
		st.events += n
		if err := reg.Clear(); err != nil {
			return st, err
		}
		// Re-check the shared state after Clear, never before: a Set
		// that raced with Clear was absorbed by it, and only this check
		// sees what that Set announced.
		if done.Load() {
			break
		}
	}
	wg.Wait()
	st.sets = sets
	st.bursts = (sets + burstSize - 1) / burstSize
	st.syscalls = set.Wakeups()
	return st, werr
}
