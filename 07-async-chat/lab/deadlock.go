package lab

import (
	"errors"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/07-async-chat/channel"
	"github.com/async-from-scratch/course/07-async-chat/tasks"
)

// Peer is one side of an exchange: it sends n values to the other side's
// inbox and receives n from its own.
type Peer func(co *future.Co, out, in *channel.Chan[int], n int) (received int)

// SendThenReceive sends everything, then receives: with both peers written
// this way and n larger than the inboxes hold, each waits to send into an
// inbox the other will only read later. Deadlock.
func SendThenReceive(co *future.Co, out, in *channel.Chan[int], n int) int {
	for i := range n {
		future.Await(co, out.Send(i))
	}
	got := 0
	for range n {
		if _, err := future.Await(co, in.Recv()).Get(); err == nil {
			got++
		}
	}
	return got
}

// SendWhileReceiving waits for whichever comes first, room to send the next
// value or a value to receive, so its own inbox keeps draining while it
// waits to send. Select drops the loser: that is safe here because Recv
// is cancel-safe (the value stays queued) and a dropped Send sent nothing
// (the next turn makes a new one with the same value).
func SendWhileReceiving(co *future.Co, out, in *channel.Chan[int], n int) int {
	sent, got := 0, 0
	for sent < n || got < n {
		var step []future.Future[bool] // true: sent one; false: received one
		if sent < n {
			step = append(step, future.Map(out.Send(sent), func(error) bool { return true }))
		}
		if got < n {
			step = append(step, future.Map(in.Recv(), func(executor.Result[int]) bool { return false }))
		}
		if future.Await(co, tasks.Select(step...)).Value {
			sent++
		} else {
			got++
		}
	}
	return got
}

// ErrDeadlock: the watchdog fired with both peers still waiting.
var ErrDeadlock = errors.New("lab: deadlock: both peers wait to send into a full inbox")

// Exchange runs two peers, each with an inbox of capacity inboxCap, under
// a watchdog: if they have not both finished when watchdog is ready, it
// reports ErrDeadlock (and what the inboxes held). Its value is how many
// values each peer received.
func Exchange(ex *executor.Executor, peer Peer, n, inboxCap int, watchdog future.Future[struct{}]) future.Future[executor.Result[[2]int]] {
	return future.Async(func(co *future.Co) executor.Result[[2]int] {
		inA, inB := channel.New[int](inboxCap), channel.New[int](inboxCap)
		var got [2]int
		g := tasks.NewGroup(ex)
		defer g.Drop()
		g.Spawn(future.Async(func(co *future.Co) error { got[0] = peer(co, inB, inA, n); return nil }))
		g.Spawn(future.Async(func(co *future.Co) error { got[1] = peer(co, inA, inB, n); return nil }))
		r := future.Await(co, future.Select(g.Wait(), watchdog))
		if !r.IsLeft {
			return executor.Result[[2]int]{Value: [2]int{inA.Len(), inB.Len()}, Err: ErrDeadlock}
		}
		return executor.Result[[2]int]{Value: got}
	})
}
