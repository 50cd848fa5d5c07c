package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/async-from-scratch/course/04-futures/future"
)

// source stands for a socket that delivers one number per read.
type source struct {
	v int
}

// Next returns a future of the next number from s.
func (s *source) Next() *soon { return &soon{v: s.v} }

// soon is the demos' leaf future: pending on its first poll, ready with v on
// the next. Before it says pending it wakes its waker at once (Tokio's
// yield_now), like a socket that became readable right after we asked. A real
// leaf would store the waker and have an event call it later (blockon.go).
type soon struct {
	v     int
	asked bool
}

func (s *soon) Poll(cx *future.Context) future.Poll[int] {
	if s.asked {
		return future.PollReady(s.v)
	}
	s.asked = true
	cx.Waker().Wake() // the wake-up is arranged before we say pending
	return future.Pending[int]()
}

// drive polls fut until it is ready, narrating each poll. It is an executor
// reduced to its bones: poll; if pending, poll again only once woken. (It
// does not sleep: every leaf in these demos wakes at once. BlockOn sleeps.)
func drive[T any](out io.Writer, fut future.Future[T]) (T, error) {
	woken := false
	cx := future.NewContext(future.WakeFunc(func() {
		woken = true
		fmt.Fprintln(out, "    (woken)")
	}))
	for i := 1; ; i++ {
		fmt.Fprintf(out, "poll %d\n", i)
		woken = false
		r := fut.Poll(cx)
		fmt.Fprintf(out, "  -> %v\n", r)
		if r.IsReady() {
			return r.Value(), nil
		}
		if !woken {
			var zero T
			return zero, errors.New("pending, and no wake-up arranged: an executor would wait forever")
		}
	}
}
