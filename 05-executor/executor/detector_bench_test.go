package executor_test

// go test -run '^$' -bench 'LostWakerDetector' -count 5 ./05-executor/executor

import (
	"testing"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// BenchmarkLostWakerDetector measures what Options.DetectLostWakers costs,
// off (the default: it must cost nothing) and on, in two loops:
//
//	yield  a task yields and is polled again: the loop never waits, so the
//	       detector's cost is its probe waker on every poll
//	wake   another goroutine wakes the task: the loop may wait once per
//	       iteration, and the detector collects garbage before each wait
func BenchmarkLostWakerDetector(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run("yield/"+name, func(b *testing.B) {
			ex := newDetectorEx(b, on)
			run(b, ex, loopFuture(b, func() future.Future[struct{}] { return executor.YieldNow() }))
		})
		b.Run("wake/"+name, func(b *testing.B) {
			ex := newDetectorEx(b, on)
			req := make(chan future.Waker, 1)
			go func() {
				for w := range req {
					w.Wake()
				}
			}()
			defer close(req)
			run(b, ex, loopFuture(b, func() future.Future[struct{}] {
				asked := false
				return future.PollFn(func(cx *future.Context) future.Poll[struct{}] {
					if asked {
						return future.PollReady(struct{}{})
					}
					asked = true
					req <- cx.Waker() // another goroutine wakes the task
					return future.Pending[struct{}]()
				})
			}))
		})
	}
}

func newDetectorEx(b *testing.B, on bool) *executor.Executor {
	ex, err := executor.New(executor.Options{DetectLostWakers: on})
	if err != nil {
		b.Fatal(err)
	}
	return ex
}
