package executor_test

// go test -run '^$' -bench . -benchmem ./05-executor/executor

import (
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// loopFuture is the benchmarks' root: a hand-written state machine (no
// coroutine, so b.Loop is called on the benchmark's goroutine, where BlockOn
// runs the loop). step starts one iteration and returns the future to wait
// for.
func loopFuture(b *testing.B, step func() future.Future[struct{}]) future.Future[int] {
	var cur future.Future[struct{}]
	return future.PollFn(func(cx *future.Context) future.Poll[int] {
		for {
			if cur != nil {
				if !cur.Poll(cx).IsReady() {
					return future.Pending[int]()
				}
				cur = nil
			}
			if !b.Loop() {
				return future.PollReady(0)
			}
			cur = step()
		}
	})
}

func run(b *testing.B, ex *executor.Executor, root future.Future[int]) {
	if _, err := executor.BlockOn(ex, root); err != nil {
		b.Fatal(err)
	}
}

func newEx(b *testing.B) *executor.Executor {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return ex
}

// Spawn a task that finishes at once and wait for its JoinHandle.
func BenchmarkSpawnJoin(b *testing.B) {
	b.Run("executor", func(b *testing.B) {
		ex := newEx(b)
		nop := future.PollFn(func(*future.Context) future.Poll[struct{}] { return future.PollReady(struct{}{}) })
		run(b, ex, loopFuture(b, func() future.Future[struct{}] {
			h := executor.Spawn(ex, nop)
			return future.Map(future.Future[executor.Result[struct{}]](h), func(executor.Result[struct{}]) struct{} { return struct{}{} })
		}))
	})
	b.Run("goroutine", func(b *testing.B) {
		ch := make(chan struct{})
		for b.Loop() {
			go func() { ch <- struct{}{} }()
			<-ch
		}
	})
}

// A round trip through another goroutine: the task asks a helper goroutine
// (over a buffered channel) to wake it, and is polled again. The Go-native
// equivalent is a ping-pong over two channels.
func BenchmarkWakeRoundTrip(b *testing.B) {
	b.Run("executor", func(b *testing.B) { wakeRoundTrip(b, true) })
	b.Run("executor-no-yield", func(b *testing.B) { wakeRoundTrip(b, false) })
	b.Run("channel", func(b *testing.B) {
		ping, pong := make(chan struct{}), make(chan struct{})
		go func() {
			for range ping {
				pong <- struct{}{}
			}
		}()
		for b.Loop() {
			ping <- struct{}{}
			<-pong
		}
		close(ping)
	})
}

// wakeRoundTrip runs the executor side, with or without the loop's
// runtime.Gosched before it blocks in epoll_wait.
func wakeRoundTrip(b *testing.B, yield bool) {
	{
		ex, err := executor.New(executor.Options{NoYield: !yield})
		if err != nil {
			b.Fatal(err)
		}
		req := make(chan future.Waker, 1)
		quit := make(chan struct{})
		go func() {
			for {
				select {
				case w := <-req:
					w.Wake()
				case <-quit:
					return
				}
			}
		}()
		defer close(quit)
		run(b, ex, loopFuture(b, func() future.Future[struct{}] {
			asked := false
			return future.PollFn(func(cx *future.Context) future.Poll[struct{}] {
				if asked {
					return future.PollReady(struct{}{})
				}
				asked = true
				req <- cx.Waker()
				return future.Pending[struct{}]()
			})
		}))
	}
}

// A zero-length timer: arm, let the loop fire it, be polled again.
func BenchmarkTimerCycle(b *testing.B) {
	b.Run("executor", func(b *testing.B) {
		ex := newEx(b)
		var t *executor.Timer
		run(b, ex, loopFuture(b, func() future.Future[struct{}] {
			if t == nil {
				t = ex.NewTimer(0)
			} else {
				t.Reset(0)
			}
			return t
		}))
	})
	b.Run("time.Timer", func(b *testing.B) {
		t := time.NewTimer(time.Hour)
		for b.Loop() {
			t.Reset(0)
			<-t.C
		}
	})
}
