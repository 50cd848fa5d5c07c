package executor

import (
	"os"
	"runtime/debug"
	"sync"

	"github.com/async-from-scratch/course/04-futures/future"
)

// pool is a bounded set of worker goroutines for blocking work (file I/O,
// DNS, a slow terminal). Workers start on demand up to max and live until
// the executor closes. A worker hands its result back by storing it in the
// job and calling the task's waker: the one user event wakes the loop.
type pool struct {
	mu      sync.Mutex // guards everything below
	cond    sync.Cond  // signalled when jobs or closed change; L is &mu
	jobs    []job      // FIFO of waiting jobs
	workers int        // started workers
	idle    int        // workers waiting in cond.Wait and not yet claimed by a Signal
	max     int
	closed  bool
	wg      sync.WaitGroup // running workers
}

type job interface{ run() }

func (p *pool) submit(j job) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	if p.cond.L == nil {
		p.cond.L = &p.mu
	}
	p.jobs = append(p.jobs, j)
	switch {
	case p.idle > 0:
		// Claim the idle worker now: the signalled worker does not run
		// before this returns, and if idle still counted it, the next
		// submit would signal it again instead of starting a worker.
		p.idle--
		p.cond.Signal()
	case p.workers < p.max:
		p.workers++
		p.wg.Add(1)
		go p.worker()
	}
	return true
}

func (p *pool) worker() {
	defer p.wg.Done()
	p.mu.Lock()
	for {
		for len(p.jobs) == 0 && !p.closed {
			p.idle++
			p.cond.Wait() // submit's Signal decremented idle for us (close's Broadcast did not, and no longer matters)
		}
		if p.closed {
			p.mu.Unlock()
			return
		}
		j := p.jobs[0]
		p.jobs[0] = nil
		p.jobs = p.jobs[1:]
		p.mu.Unlock()
		j.run()
		p.mu.Lock()
	}
}

// close stops the workers: jobs not started are abandoned (their futures
// were dropped with their tasks), jobs running are waited for.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.jobs = nil
	if p.cond.L != nil {
		p.cond.Broadcast()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Blocking job states.
const (
	jobNew       = iota // not submitted (the future was not polled yet)
	jobQueued           // waiting for a worker
	jobRunning          // fn is running on a worker
	jobDone             // result stored, waker called
	jobTaken            // result handed to the poller
	jobCancelled        // dropped: a worker skips it, or discards its result
)

// SpawnBlocking returns a future of fn's result, with fn run on one of ex's
// worker goroutines (at most Options.Workers at once; the rest queue). It is
// submitted on the first poll. Dropping the future before fn starts cancels
// it; dropping it while fn runs discards the result (fn itself cannot be
// interrupted, and BlockOn waits for it). A panic in fn becomes a
// *PanicError. If the result owns something (an open file), use
// SpawnBlockingRelease, or a dropped future leaks it.
func SpawnBlocking[T any](ex *Executor, fn func() (T, error)) future.Future[Result[T]] {
	return &blockingFuture[T]{ex: ex, fn: fn}
}

// SpawnBlockingRelease is SpawnBlocking for a function whose value owns
// something that must be given back, such as an *os.File: if the future is
// dropped after fn started and before the value was handed to a poll, fn's
// value (when its error is nil) goes to release instead. release runs on the
// worker when fn finishes after the drop, or inside Drop when fn had
// already finished; keep it short (a Close). A panic in release is logged.
func SpawnBlockingRelease[T any](ex *Executor, fn func() (T, error), release func(T)) future.Future[Result[T]] {
	return &blockingFuture[T]{ex: ex, fn: fn, release: release}
}

type blockingFuture[T any] struct {
	ex      *Executor
	fn      func() (T, error)
	release func(T) // for a value nobody will take; nil: nothing to give back

	mu    sync.Mutex // guards the fields below: the worker writes, the loop reads
	state int
	res   Result[T]
	waker future.Waker
}

func (f *blockingFuture[T]) Poll(cx *future.Context) future.Poll[Result[T]] {
	f.mu.Lock()
	switch f.state {
	case jobNew:
		f.state = jobQueued
		f.waker = cx.Waker()
		f.mu.Unlock()
		if !f.ex.pool.submit(f) {
			return future.PollReady(Result[T]{Err: ErrClosed})
		}
		return future.Pending[Result[T]]()
	case jobDone:
		f.state = jobTaken
		res := f.res
		f.mu.Unlock()
		return future.PollReady(res)
	case jobTaken, jobCancelled:
		f.mu.Unlock()
		panic("executor: SpawnBlocking future polled after completion or Drop")
	default:
		f.waker = cx.Waker() // the latest poller
		f.mu.Unlock()
		return future.Pending[Result[T]]()
	}
}

// run is the worker's side.
func (f *blockingFuture[T]) run() {
	f.mu.Lock()
	if f.state == jobCancelled {
		f.mu.Unlock()
		return
	}
	f.state = jobRunning
	f.mu.Unlock()

	res := callBlocking(f.fn)

	f.mu.Lock()
	if f.state == jobCancelled {
		f.mu.Unlock()
		f.abandon(res) // dropped while fn ran: nobody will take res
		return
	}
	f.res, f.state = res, jobDone
	w := f.waker
	f.waker = nil
	f.mu.Unlock()
	w.Wake() // outside the lock: from this goroutine, through the inbox and the user event
}

func callBlocking[T any](fn func() (T, error)) (res Result[T]) {
	defer func() {
		if r := recover(); r != nil {
			res = Result[T]{Err: &PanicError{Value: r, Stack: debug.Stack()}}
		}
	}()
	v, err := fn()
	return Result[T]{Value: v, Err: err}
}

// Drop cancels the job if it has not finished, and gives back a result
// that was stored but not yet taken.
func (f *blockingFuture[T]) Drop() {
	f.mu.Lock()
	switch f.state {
	case jobNew, jobQueued, jobRunning:
		f.state = jobCancelled
		f.waker = nil
		f.mu.Unlock()
	case jobDone: // fn finished and woke the task, which was dropped before it polled
		res := f.res
		f.res, f.state = Result[T]{}, jobCancelled
		f.mu.Unlock()
		f.abandon(res)
	default:
		f.mu.Unlock()
	}
}

// abandon hands the value of a result nobody will take to release. A
// panic in release is logged: on a worker it would end the process.
func (f *blockingFuture[T]) abandon(res Result[T]) {
	if f.release == nil || res.Err != nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			f.ex.log.Warn("SpawnBlockingRelease: release panicked", "panic", r)
		}
	}()
	f.release(res.Value)
}

// ReadFile returns a future of the named file's contents, read by
// os.ReadFile on a worker goroutine: reading a regular file may block (the
// disk), and readiness APIs do not help (a regular file is always
// "ready").
func (ex *Executor) ReadFile(name string) future.Future[Result[[]byte]] {
	return SpawnBlocking(ex, func() ([]byte, error) { return os.ReadFile(name) })
}

// ReadFileIn is ReadFile confined to root: names that escape it (../x, an
// absolute path, a symlink out) fail.
func (ex *Executor) ReadFileIn(root *os.Root, name string) future.Future[Result[[]byte]] {
	return SpawnBlocking(ex, func() ([]byte, error) { return root.ReadFile(name) })
}
