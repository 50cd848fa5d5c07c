package main

// go test -run '^$' -bench . ./04-futures
//
// The same small computation, "sum n numbers, each awaited from a source that
// is pending once", written three ways: a hand-written state machine (what
// Rust makes of an async fn: stackless), an Async coroutine on iter.Pull
// (stackful, driven by polls), and a plain goroutine that blocks in a channel
// receive (what a goroutine-per-connection server does). Each suspends n times.

import (
	"runtime"
	"testing"

	"github.com/async-from-scratch/course/04-futures/future"
)

// sumMachine is sumAsync compiled by hand: the loop's variables are fields,
// and the awaited future sits in place, so a suspended sum is this struct.
type sumMachine struct {
	n, i, sum int
	awaiting  bool // leaf holds the future of value i
	leaf      soon
}

func (m *sumMachine) Poll(cx *future.Context) future.Poll[int] {
	for m.i < m.n {
		if !m.awaiting {
			m.leaf, m.awaiting = soon{v: m.i}, true
		}
		p := m.leaf.Poll(cx)
		if !p.IsReady() {
			return future.Pending[int]() // suspended: everything needed is in m
		}
		m.sum, m.i, m.awaiting = m.sum+p.Value(), m.i+1, false
	}
	return future.PollReady(m.sum)
}

// sumAsync is the loop as written, in a coroutine: a suspended sum is a
// goroutine stack parked inside Await, plus the Async future.
func sumAsync(n int) future.Future[int] {
	return future.Async(func(co *future.Co) int {
		sum := 0
		var leaf soon
		for i := range n {
			leaf = soon{v: i}
			sum += future.Await(co, &leaf)
		}
		return sum
	})
}

// sumGoroutine is the loop on its own goroutine, suspended in a channel
// receive, as a goroutine-per-connection server is suspended in conn.Read.
// A send resumes it.
func sumGoroutine(n int, values <-chan int, done chan<- int) {
	sum := 0
	for range n {
		sum += <-values
	}
	done <- sum
}

// pollToEnd drives a future whose leaves wake at once, as drive does, silently.
func pollToEnd[T any](fut future.Future[T], cx *future.Context) T {
	for {
		if p := fut.Poll(cx); p.IsReady() {
			return p.Value()
		}
	}
}

func TestSumImplementationsAgree(t *testing.T) {
	const n, want = 100, 4950
	cx := future.NewContext(future.Noop())
	if got := pollToEnd[int](&sumMachine{n: n}, cx); got != want {
		t.Errorf("sumMachine = %d, want %d", got, want)
	}
	if got := pollToEnd(sumAsync(n), cx); got != want {
		t.Errorf("sumAsync = %d, want %d", got, want)
	}
	values, done := make(chan int), make(chan int)
	go sumGoroutine(n, values, done)
	for i := range n {
		values <- i
	}
	if got := <-done; got != want {
		t.Errorf("sumGoroutine = %d, want %d", got, want)
	}
}

const suspends = 1000 // per computation in BenchmarkSuspendResume

// BenchmarkSuspendResume: one op is one computation that suspends 1000
// times; ns/suspend is the cost of one suspend plus one resume.
func BenchmarkSuspendResume(b *testing.B) {
	perSuspend := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*suspends), "ns/suspend")
	}
	b.Run("statemachine", func(b *testing.B) {
		b.ReportAllocs()
		cx := future.NewContext(future.Noop())
		for b.Loop() {
			pollToEnd[int](&sumMachine{n: suspends}, cx)
		}
		perSuspend(b)
	})
	b.Run("async", func(b *testing.B) {
		b.ReportAllocs()
		cx := future.NewContext(future.Noop())
		for b.Loop() {
			pollToEnd(sumAsync(suspends), cx)
		}
		perSuspend(b)
	})
	b.Run("goroutine", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			values, done := make(chan int), make(chan int)
			go sumGoroutine(suspends, values, done)
			for i := range suspends {
				values <- i
			}
			<-done
		}
		perSuspend(b)
	})
}

const instances = 10_000 // suspended at once in BenchmarkSuspendedMemory

// inUse is the memory the runtime holds for objects and goroutine stacks.
func inUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// bytesPerSuspended starts `instances` computations, each brought to its first
// suspension by start, measures what they hold, then ends them with end.
func bytesPerSuspended(start func() any, end func(any)) float64 {
	held := make([]any, instances)
	before := inUse()
	for i := range held {
		held[i] = start()
	}
	after := inUse()
	for _, h := range held {
		end(h)
	}
	return float64(int64(after)-int64(before)) / instances
}

// BenchmarkSuspendedMemory: B/suspended is what one computation suspended in
// the middle of its loop keeps alive, with 10,000 of them at once.
func BenchmarkSuspendedMemory(b *testing.B) {
	cx := future.NewContext(future.Noop())
	run := func(b *testing.B, start func() any, end func(any)) {
		var per float64
		for b.Loop() {
			per = bytesPerSuspended(start, end)
		}
		b.ReportMetric(per, "B/suspended")
	}
	b.Run("statemachine", func(b *testing.B) {
		run(b, func() any {
			m := &sumMachine{n: suspends}
			m.Poll(cx)
			return m
		}, func(any) {})
	})
	b.Run("async", func(b *testing.B) {
		run(b, func() any {
			f := sumAsync(suspends)
			f.Poll(cx)
			return f
		}, future.Drop)
	})
	type parked struct{ values, done chan int }
	b.Run("goroutine", func(b *testing.B) {
		run(b, func() any {
			p := parked{make(chan int), make(chan int)}
			go sumGoroutine(suspends, p.values, p.done)
			return p
		}, func(h any) {
			p := h.(parked)
			close(p.values) // the goroutine sums zeros to the end
			<-p.done
		})
	})
}
