package executor

import "github.com/async-from-scratch/course/04-futures/future"

// YieldNow returns a future that is pending once (after waking its own
// task) and then ready: the task goes to the back of the run queue.
func YieldNow() future.Future[struct{}] { return &yieldFuture{} }

type yieldFuture struct{ yielded bool }

func (y *yieldFuture) Poll(cx *future.Context) future.Poll[struct{}] {
	if y.yielded {
		return future.PollReady(struct{}{})
	}
	y.yielded = true
	cx.Waker().Wake()
	return future.Pending[struct{}]()
}
