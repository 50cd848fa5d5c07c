package driver

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/03-custom-events/event"
	"github.com/async-from-scratch/course/04-futures/future"
)

// eventWaker is the blog's RawWaker built on SetReadiness: waking sets the
// user event that BlockOn's goroutine sleeps on in poll.Poll. Set is safe from
// any goroutine and coalesces, so a burst of wakes costs one syscall. After
// BlockOn returned, Set reports event.ErrClosed and touches no descriptor: a
// waker a stray future kept is harmless.
type eventWaker struct {
	set *event.SetReadiness
}

func (w *eventWaker) Wake() {
	_ = w.set.Set() // only error: ErrClosed once BlockOn returned, when there is nothing to wake
}

// wakeToken is the only source in BlockOn's Poll.
const wakeToken poll.Token = 1

// BlockOn runs fut to completion on the calling goroutine and returns its
// value. It is the smallest honest driver: poll the future; if it is pending,
// sleep in poll.Poll until its waker fires (the waker sets a stage 03 user
// event registered in that Poll); clear the event; poll again. No busy loop:
// a future that waits 100 ms costs a couple of polls, not thousands.
//
// BlockOn opens a poller and a user event and closes both before it returns.
// The error is about those (creating, registering, polling); fut's own errors
// belong in T. If the poller fails, fut is dropped.
func BlockOn[T any](fut future.Future[T]) (v T, err error) {
	p, err := poll.New()
	if err != nil {
		future.Drop(fut)
		return v, fmt.Errorf("driver: BlockOn: %w", err)
	}
	reg, set, err := event.New()
	if err != nil {
		future.Drop(fut)
		return v, errors.Join(fmt.Errorf("driver: BlockOn: %w", err), p.Close())
	}
	defer func() {
		// Close deregisters the event before the poller goes away.
		if cerr := errors.Join(reg.Close(), p.Close()); cerr != nil && err == nil {
			err = fmt.Errorf("driver: BlockOn: %w", cerr)
		}
	}()
	// Level: the event stays readable from Set until Clear, so a wake that
	// lands between "fut is pending" and the sleep in Poll is not lost: Poll
	// returns at once.
	if err := reg.Register(p, wakeToken, poll.Level); err != nil {
		future.Drop(fut)
		return v, fmt.Errorf("driver: BlockOn: %w", err)
	}
	cx := future.NewContext(&eventWaker{set: set})
	events := poll.NewEvents(1)
	log := slog.Default()
	for polls := 1; ; polls++ {
		// (1) Poll. If fut is pending it stored cx.Waker() somewhere that
		// will call it (the poll contract); if nothing will, we sleep forever.
		r := fut.Poll(cx)
		log.Debug("driver: BlockOn polled", "poll", polls, "result", r.String())
		if r.IsReady() {
			return r.Value(), nil
		}
		// (2) Sleep in epoll_wait / kevent until the waker sets the event.
		if _, err := p.Poll(events, poll.Forever); err != nil {
			future.Drop(fut)
			return v, fmt.Errorf("driver: BlockOn: %w", err)
		}
		// (3) Consume the wake-up before polling again. A Wake racing with
		// Clear may be absorbed by it, but then the poll just below sees
		// what that Wake announced: that is why we Clear first, then poll.
		if err := reg.Clear(); err != nil {
			future.Drop(fut)
			return v, fmt.Errorf("driver: BlockOn: %w", err)
		}
	}
}
