package executor

import "github.com/async-from-scratch/course/04-futures/future"

// Wake schedules the task. It is safe from any goroutine, any number of
// times: a task woken while scheduled is polled once; a task woken while
// running is polled once more after this poll; a wake for a finished task is
// ignored.
func (t *task) Wake() {
	if t.schedule() {
		t.ex.remoteWake(t)
	}
}

// schedule is the wake half of the task's state machine, shared by Wake and
// the loop's own wakes. It reports whether the caller must queue the task:
// only the wake that moves it from idle to scheduled does.
func (t *task) schedule() bool {
	for {
		switch s := t.state.Load(); s {
		case stateIdle:
			if t.state.CompareAndSwap(stateIdle, stateScheduled) {
				return true
			}
		case stateRunning:
			if t.state.CompareAndSwap(stateRunning, stateNotified) {
				return false // runTask requeues it when the poll returns
			}
		default: // scheduled, notified, done: nothing to do
			return false
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
		w.Wake()
		return
	}
	if t.schedule() {
		if ex.debug {
			ex.log.Debug("wake", "task", t.id)
		}
		ex.runq.push(t)
	}
}
