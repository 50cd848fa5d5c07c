package channel

// go test -run TestSteadyState -bench . -benchmem ./07-async-chat/channel

import (
	"errors"
	"sync"
	"testing"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// A message through the channel, with a receiver waiting and a sender
// waking it, allocates nothing: the waiters live in the caller.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	ch := New[int](4)
	cx, _ := newCx()
	var r, s Waiter
	allocs := testing.AllocsPerRun(1000, func() {
		ch.PollRecv(cx, &r) // waits
		ch.PollSend(cx, &s, 1)
		ch.PollRecv(cx, &r)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per message, want 0", allocs)
	}
}

// pingPong is two hand-written tasks on one executor: a producer that sends
// n values and a consumer that receives them, through a channel of
// capacity 64. They keep their Waiters in themselves, as any hand-written
// future would.
type producer struct {
	ch   *Chan[int]
	w    Waiter
	i, n int
}

func (p *producer) Poll(cx *future.Context) future.Poll[struct{}] {
	for ; p.i < p.n; p.i++ {
		if err := p.ch.PollSend(cx, &p.w, p.i); errors.Is(err, executor.ErrPending) {
			return future.Pending[struct{}]()
		}
	}
	p.ch.Close()
	return future.PollReady(struct{}{})
}

type consumer struct {
	ch  *Chan[int]
	w   Waiter
	sum int
}

func (c *consumer) Poll(cx *future.Context) future.Poll[int] {
	for {
		v, err := c.ch.PollRecv(cx, &c.w)
		switch {
		case errors.Is(err, executor.ErrPending):
			return future.Pending[int]()
		case err != nil:
			return future.PollReady(c.sum)
		}
		c.sum += v
	}
}

// BenchmarkChanTasks: messages between two tasks on one executor (one
// goroutine). Compare with BenchmarkGoChan, two goroutines and a Go channel.
func BenchmarkChanTasks(b *testing.B) {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ch := New[int](64)
	executor.SpawnDetached(ex, &producer{ch: ch, n: b.N})
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := executor.BlockOn(ex, future.Future[int](&consumer{ch: ch})); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkGoChan(b *testing.B) {
	ch := make(chan int, 64)
	var wg sync.WaitGroup
	wg.Add(1)
	b.ReportAllocs()
	go func() {
		defer wg.Done()
		for i := range b.N {
			ch <- i
		}
		close(ch)
	}()
	sum := 0
	for v := range ch {
		sum += v
	}
	wg.Wait()
}

// BenchmarkWorkerToLoop: a goroutine sends with SendWait into a task on
// the loop, so every wait is a cross-goroutine wake.
func BenchmarkWorkerToLoop(b *testing.B) {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ch := New[int](64)
	go func() {
		for i := range b.N {
			ch.SendWait(i)
		}
		ch.Close()
	}()
	b.ReportAllocs()
	if _, err := executor.BlockOn(ex, future.Future[int](&consumer{ch: ch})); err != nil {
		b.Fatal(err)
	}
}
