package executor

import (
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

	// For the task dump (dump.go), in the 8 bytes the runtime/trace task
	// took before it moved to a side table (tasktrace.go): 64 bytes in all.
	site     uint32 // where Spawn was called: an index in ex.sites
	lastPoll uint32 // the loop's clock in ms (+1; 0: never polled) at its last poll
}

// runner is the typed half of a task, implemented by *JoinHandle[T] and
// by *detachedTask.
type runner interface {
	poll() bool       // poll the future once; true when it finished (or panicked)
	abort(err error)  // drop the future and finish with err
	wantsAbort() bool // Abort was called while the task was running
}

// runTask polls one task. Nothing is locked while the future runs, so it
// may spawn, wake, close streams or abort other tasks.
func (ex *Executor) runTask(t *task) {
	if !t.state.CompareAndSwap(stateScheduled, stateRunning) {
		return // aborted or dropped while queued
	}
	ex.current, ex.budget = t, ex.opts.IOBudget
	ex.stats.Polls++
	t.lastPoll = ex.turnMS
	if ex.debug {
		ex.log.Debug("poll task", "task", t.id)
	}
	var done bool
	if ex.detect != nil {
		done = ex.detect.poll(t)
	} else if tr := ex.traceOf(t); tr != nil {
		trace.WithRegion(tr.ctx, "executor.poll", func() { done = t.r.poll() })
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
		ex.detect.wentIdle(t) // Options.DetectLostWakers; nothing when off
	default: // notified during the poll: run it again, after the others
		t.state.Store(stateScheduled)
		ex.countWake(t)
		ex.runq.push(t)
		ex.logTask(t, "requeued")
	}
}

// start gives a new task its id and context, adds it to the task table
// and queues it; t.r must be set. On a closed executor it marks t done and
// returns false: the caller drops the future.
func (ex *Executor) start(t *task, site uintptr) bool {
	t.ex = ex
	t.id = ex.nextID.Add(1)
	t.cx = *future.NewContext(t)
	ex.mu.Lock()
	if ex.closed {
		ex.mu.Unlock()
		t.state.Store(stateDone)
		return false
	}
	t.site = ex.siteIndex(site)
	ex.traceStart(t)
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
	ex.traceEnd(t)
	ex.mu.Unlock()
}

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
