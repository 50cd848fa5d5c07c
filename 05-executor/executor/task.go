package executor

import (
	"context"
	"fmt"
	"runtime/debug"
	"runtime/trace"
	"sync/atomic"

	"github.com/async-from-scratch/course/04-futures/future"
)

// Task states, kept in task.state. See "States of a task" in the package doc.
const (
	stateIdle      uint32 = iota // pending, waiting for a wake
	stateScheduled               // in the inbox or the run queue
	stateRunning                 // being polled
	stateNotified                // woken while being polled: requeue after the poll
	stateDone                    // finished, panicked, aborted or dropped
)

// task is the part of a spawned future the loop sees. It is also the task's
// waker: there is exactly one per task, so a future can compare the waker of
// this poll with the one it stored (==) and the comparison means something.
type task struct {
	ex    *Executor
	state atomic.Uint32
	slot  int32 // index in ex.tasks, guarded by ex.mu (int32: fits beside state)
	id    uint64
	cx    future.Context // made once, handed to every poll (stored inline: one allocation less per task)
	r     runner         // the typed half: *JoinHandle[T] or *detachedTask
	tr    *traceTask     // non-nil only while runtime/trace is on

	// For the task dump (dump.go): loop-only, like the fields above.
	site     uintptr // where Spawn was called (a program counter)
	lastPoll int64   // ex.now() of the turn of its last poll
	polls    uint32
	wakes    uint32 // times it was scheduled
}

// runner is the typed half of a task, implemented by *JoinHandle[T] and
// by *detachedTask.
type runner interface {
	poll() bool       // poll the future once; true when it finished (or panicked)
	abort(err error)  // drop the future and finish with err
	wantsAbort() bool // Abort was called while the task was running
}

type traceTask struct {
	ctx  context.Context
	task *trace.Task
}

// Wake schedules the task. It is safe from any goroutine, any number of
// times: a task woken while scheduled is polled once; a task woken while
// running is polled once more after this poll; a wake for a finished task is
// ignored.
func (t *task) Wake() {
	ex := t.ex
	for {
		switch s := t.state.Load(); s {
		case stateIdle:
			if t.state.CompareAndSwap(stateIdle, stateScheduled) {
				ex.remoteWake(t)
				return
			}
		case stateRunning:
			if t.state.CompareAndSwap(stateRunning, stateNotified) {
				return
			}
		default: // scheduled, notified, done: nothing to do
			return
		}
	}
}

// remoteWake puts a scheduled task in the inbox and, if the loop is asleep
// in Poll, wakes it through the user event. Set coalesces: only the first
// Set after the loop's Clear makes a system call.
func (ex *Executor) remoteWake(t *task) {
	ex.mu.Lock()
	if ex.closed {
		ex.mu.Unlock()
		return
	}
	ex.inbox = append(ex.inbox, t)
	ex.inboxLen.Store(int32(len(ex.inbox)))
	ex.mu.Unlock()
	sleeping := ex.sleeping.Load()
	if sleeping {
		_ = ex.set.Set() // only fails once the executor is closed
	}
	if ex.debug {
		ex.log.Debug("wake", "task", t.id, "via", "inbox", "set", sleeping)
	}
}

// wake is how the loop itself wakes a waker (I/O events, timers, a finished
// task's joiner). A task of this executor goes straight to the run queue,
// without the inbox's lock; any other waker is called.
func (ex *Executor) wake(w future.Waker) {
	t, ok := w.(*task)
	if !ok || t.ex != ex {
		if t = ex.probedTask(w); t == nil {
			w.Wake()
			return
		}
	}
	for {
		switch s := t.state.Load(); s {
		case stateIdle:
			if t.state.CompareAndSwap(stateIdle, stateScheduled) {
				if ex.debug {
					ex.log.Debug("wake", "task", t.id)
				}
				t.wakes++
				ex.stats.Wakes++
				ex.runq.push(t)
				return
			}
		case stateRunning:
			if t.state.CompareAndSwap(stateRunning, stateNotified) {
				return
			}
		default:
			return
		}
	}
}

// runTask polls one task. Nothing is locked while the future runs, so it
// may spawn, wake, close streams or abort other tasks.
func (ex *Executor) runTask(t *task) {
	if !t.state.CompareAndSwap(stateScheduled, stateRunning) {
		return // aborted or dropped while queued
	}
	ex.current, ex.budget = t, ex.opts.IOBudget
	ex.stats.Polls++
	t.polls++
	t.lastPoll = ex.turnStart
	if ex.debug {
		ex.log.Debug("poll task", "task", t.id)
	}
	var done bool
	if ex.detect != nil {
		done = ex.detect.poll(t)
	} else if t.tr != nil {
		trace.WithRegion(t.tr.ctx, "executor.poll", func() { done = t.r.poll() })
	} else {
		done = t.r.poll()
	}
	ex.current = nil
	switch {
	case done:
		// poll already stored the result and moved the task to done.
	case t.r.wantsAbort():
		t.r.abort(ErrAborted)
	case t.state.CompareAndSwap(stateRunning, stateIdle):
		ex.logTask(t, "idle")
		if ex.detect != nil {
			ex.detect.wentIdle(t)
		}
	default: // notified during the poll: run it again, after the others
		t.state.Store(stateScheduled)
		t.wakes++
		ex.stats.Wakes++
		ex.runq.push(t)
		ex.logTask(t, "requeued")
	}
}

// start gives a new task its id and context, adds it to the task table
// and queues it; t.r must be set. On a closed executor it marks t done and
// returns false: the caller drops the future.
func (ex *Executor) start(t *task, site uintptr) bool {
	t.ex, t.site = ex, site
	t.id = ex.nextID.Add(1)
	t.cx = *future.NewContext(t)
	if trace.IsEnabled() {
		ctx, tt := trace.NewTask(context.Background(), "executor.task")
		t.tr = &traceTask{ctx: ctx, task: tt}
	}
	ex.mu.Lock()
	if ex.closed {
		ex.mu.Unlock()
		t.state.Store(stateDone)
		if t.tr != nil {
			t.tr.task.End()
			t.tr = nil
		}
		return false
	}
	t.slot = int32(len(ex.tasks))
	ex.tasks = append(ex.tasks, t)
	ex.mu.Unlock()
	t.state.Store(stateScheduled)
	ex.logTask(t, "spawned")
	ex.enqueueSpawned(t)
	return true
}

// done marks a task finished and unlinks it from the task table.
func (t *task) done() {
	t.state.Store(stateDone)
	t.ex.logTask(t, "done")
	t.ex.finish(t)
}

// panicked turns a panic recovered from the task's future into a
// *PanicError, and counts and logs it.
func (t *task) panicked(r any) *PanicError {
	pe := panicError(r)
	t.ex.stats.Panics++
	t.ex.log.Warn("task panicked", "task", t.id, "panic", pe.Value)
	return pe
}

// drop drops an abandoned future; its Drop may run user code, and a panic
// there is logged, not propagated.
func (t *task) drop(fut any) {
	defer func() {
		if r := recover(); r != nil {
			t.ex.log.Warn("task panicked while being dropped", "task", t.id, "panic", r)
		}
	}()
	future.Drop(fut)
}

// finish unlinks a finished task from the task table.
func (ex *Executor) finish(t *task) {
	ex.stats.Completed++
	ex.mu.Lock()
	if i := int(t.slot); i >= 0 && i < len(ex.tasks) && ex.tasks[i] == t {
		last := ex.tasks[len(ex.tasks)-1]
		ex.tasks[i] = last
		last.slot = int32(i)
		ex.tasks[len(ex.tasks)-1] = nil
		ex.tasks = ex.tasks[:len(ex.tasks)-1]
	}
	t.slot = -1
	ex.mu.Unlock()
	if t.tr != nil {
		t.tr.task.End()
		t.tr = nil
	}
}

// Result is a value or an error: what JoinHandle, the I/O futures, Timeout
// and SpawnBlocking yield.
type Result[T any] struct {
	Value T
	Err   error
}

// Get returns the value and the error.
func (r Result[T]) Get() (T, error) { return r.Value, r.Err }

// PanicError is the error a JoinHandle (or BlockOn) yields when the task's
// future panicked. The panic was recovered on the loop goroutine; the other
// tasks went on.
type PanicError struct {
	Value any    // what the future panicked with
	Stack []byte // where (the coroutine's stack for a future.Async body)
}

func (e *PanicError) Error() string { return fmt.Sprintf("executor: task panicked: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error { err, _ := e.Value.(error); return err }

// JoinHandle is a spawned task and the future of its result: it yields
// Result{Value: v} when the task's future returns v, or Result{Err: e} with
// a *PanicError if it panicked, ErrAborted if Abort dropped it, or ErrClosed
// if the executor closed first. Poll it from a task of the same executor.
type JoinHandle[T any] struct {
	task    task             // the loop's part; a named field, so its Wake is not part of the handle's API
	fut     future.Future[T] // nil once finished
	res     Result[T]
	done    bool
	aborted bool         // Abort called while running
	waiter  future.Waker // the latest pending poll of the handle
}

// Spawn hands fut to ex as a new task and returns its handle. It only
// enqueues: fut is first polled by the loop, after the task that called
// Spawn (if any) returned from its poll. Safe from any goroutine, also
// before BlockOn. On a closed executor the handle is ready at once with
// ErrClosed.
func Spawn[T any](ex *Executor, fut future.Future[T]) *JoinHandle[T] {
	h := &JoinHandle[T]{fut: fut}
	h.task.r = h
	if !ex.start(&h.task, callerSite(1)) {
		h.fut, h.done, h.res.Err = nil, true, ErrClosed
		future.Drop(fut)
	}
	return h
}

// SpawnDetached hands fut to ex as a task that nobody will join: a server's
// connection handler, say. It is Spawn followed by Drop on the handle, but
// the task carries no result, no waiter and no abort flag, so it is smaller
// (a JoinHandle[struct{}] is 128 bytes, a detached task 80): with ten
// thousand idle connections that is 480 KB. A panic in fut is counted
// (Stats.Panics) and logged at warn level, as for any task; BlockOn drops
// the task (future.Drop) if it has not finished. Safe from any goroutine;
// on a closed executor fut is dropped at once.
func SpawnDetached(ex *Executor, fut future.Future[struct{}]) {
	d := &detachedTask{fut: fut}
	d.task.r = d
	if !ex.start(&d.task, callerSite(1)) {
		d.fut = nil
		future.Drop(fut)
	}
}

// detachedTask is a task without a handle: see SpawnDetached.
type detachedTask struct {
	task task
	fut  future.Future[struct{}] // nil once finished
}

func (d *detachedTask) poll() (done bool) {
	defer func() {
		if r := recover(); r != nil {
			d.task.panicked(r)
			d.fut = nil
			d.task.done()
			done = true
		}
	}()
	if !d.fut.Poll(&d.task.cx).IsReady() {
		return false
	}
	d.fut = nil
	d.task.done()
	return true
}

func (d *detachedTask) abort(error) {
	if d.fut == nil {
		return
	}
	fut := d.fut
	d.fut = nil
	d.task.drop(fut)
	d.task.done()
}

func (d *detachedTask) wantsAbort() bool { return false }

// poll polls the task's future once, turning a panic into the task's
// result.
func (h *JoinHandle[T]) poll() (done bool) {
	defer func() {
		if r := recover(); r != nil {
			h.complete(Result[T]{Err: h.task.panicked(r)})
			done = true
		}
	}()
	p := h.fut.Poll(&h.task.cx)
	if !p.IsReady() {
		return false
	}
	h.complete(Result[T]{Value: p.Value()})
	return true
}

// panicError wraps a recovered value; a future.Async body's panic arrives as
// a *future.PanicError that already carries the body's stack.
func panicError(r any) *PanicError {
	if pe, ok := r.(*future.PanicError); ok {
		return &PanicError{Value: pe.Value, Stack: pe.Stack}
	}
	return &PanicError{Value: r, Stack: debug.Stack()}
}

// complete records the result, marks the task done and wakes whoever awaits
// the handle.
func (h *JoinHandle[T]) complete(res Result[T]) {
	ex := h.task.ex
	h.res, h.done, h.fut = res, true, nil
	h.task.done()
	if w := h.waiter; w != nil {
		h.waiter = nil
		ex.wake(w)
	}
}

func (h *JoinHandle[T]) wantsAbort() bool { return h.aborted }

// abort drops the future (its Drop may run user code: a panic there is
// logged, not propagated) and finishes the task with err.
func (h *JoinHandle[T]) abort(err error) {
	if h.done {
		return
	}
	fut := h.fut
	h.fut = nil
	h.task.drop(fut)
	h.complete(Result[T]{Err: err})
}

// Poll implements future.Future[Result[T]].
func (h *JoinHandle[T]) Poll(cx *future.Context) future.Poll[Result[T]] {
	if h.done {
		return future.PollReady(h.res)
	}
	h.waiter = cx.Waker() // the latest poller, replaced on every pending poll
	return future.Pending[Result[T]]()
}

// Abort drops the task's future and makes the handle yield ErrAborted. It
// does nothing if the task already finished. Called from the task itself,
// the abort happens when its poll returns. Call it on the loop goroutine.
func (h *JoinHandle[T]) Abort() {
	if h.done {
		return
	}
	if h.task.state.Load() == stateRunning || h.task.state.Load() == stateNotified {
		h.aborted = true
		return
	}
	h.task.state.Store(stateDone) // a queued copy is skipped by runTask
	h.abort(ErrAborted)
}

// Drop detaches the handle: the task keeps running, nobody is woken when it
// ends. It never aborts the task (tokio's JoinHandle behaves the same).
func (h *JoinHandle[T]) Drop() { h.waiter = nil }

// ID returns the task's id, as printed in debug logs.
func (h *JoinHandle[T]) ID() uint64 { return h.task.id }

// Current returns the executor of the task whose poll is running with cx.
// It finds it through cx's waker, which for a task of this package is the
// task itself.
func Current(cx *future.Context) (*Executor, bool) {
	if t, ok := cx.Waker().(*task); ok {
		return t.ex, true
	}
	if p, ok := cx.Waker().(*wakeProbe); ok { // Options.DetectLostWakers
		return p.t.ex, true
	}
	return nil, false
}

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

// ring is the run queue: a growable ring buffer of tasks. Loop-only.
type ring struct {
	buf        []*task
	head, size int
}

func (r *ring) len() int { return r.size }

func (r *ring) push(t *task) {
	if r.size == len(r.buf) {
		n := max(2*len(r.buf), 64)
		buf := make([]*task, n)
		for i := range r.size {
			buf[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = buf, 0
	}
	r.buf[(r.head+r.size)%len(r.buf)] = t
	r.size++
}

func (r *ring) pop() *task {
	if r.size == 0 {
		return nil
	}
	t := r.buf[r.head]
	r.buf[r.head] = nil
	r.head = (r.head + 1) % len(r.buf)
	r.size--
	return t
}
