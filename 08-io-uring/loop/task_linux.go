package loop

import (
	"sync/atomic"

	"github.com/async-from-scratch/course/04-futures/future"
)

// task is a spawned future, and its own waker (as in stage 05, the waker of
// every poll of a task is the task itself).
type task struct {
	l      *Loop
	fut    future.Future[struct{}]
	cx     future.Context // carries the task itself as the waker, made once
	queued atomic.Bool    // in woken or runq: a second Wake adds nothing
	index  int32          // place in l.tasks; -1 once done (loop goroutine only)

	// For the task dump: spawn order (the root is 1), the loop's clock at
	// the last poll (0: never polled), and where Spawn was called.
	id, lastPoll uint32
	site         uintptr
}

// Spawn hands fut to l as a task nobody joins (a connection handler). It only
// queues: fut is first polled by the loop. Call it on the loop goroutine
// (from a task) or before Run.
func Spawn(l *Loop, fut future.Future[struct{}]) {
	t := &task{l: l, fut: fut, site: spawnSite()}
	l.addTask(t)
	t.Wake()
}

// Wake queues the task for the loop's next turn. Safe from any goroutine.
// Only the goroutine that sees the loop asleep writes the eventfd: the wake
// of a task by its own loop costs a lock and an append, no system call.
func (t *task) Wake() {
	if !t.queued.CompareAndSwap(false, true) {
		return
	}
	l := t.l
	l.mu.Lock()
	l.woken = append(l.woken, t)
	sleeping := l.sleeping
	l.sleeping = false
	l.mu.Unlock()
	if sleeping {
		l.wakeups.Add(1)
		l.wakeLoop()
	}
}

// run polls the task once.
func (t *task) run() {
	t.queued.Store(false) // a Wake during the poll queues it again
	if t.index < 0 {
		return // done: a late wake
	}
	l := t.l
	l.stats.Polls++
	t.lastPoll, l.polling = l.turnMS, t
	ready := t.fut.Poll(&t.cx).IsReady()
	l.polling = nil
	if ready {
		l.removeTask(t)
	}
}

// drop abandons an unfinished task: future.Drop cancels what it has in flight.
func (t *task) drop() {
	if t.index >= 0 {
		t.l.removeTask(t)
		future.Drop(t.fut)
	}
}

// addTask puts t in the task list (a slice, not a map: an idle connection
// is a task, and a map entry would cost it more than the slot).
func (l *Loop) addTask(t *task) {
	t.cx = *future.NewContext(t)
	l.spawned++
	t.id = l.spawned
	t.index = int32(len(l.tasks))
	l.tasks = append(l.tasks, t)
}

// removeTask takes t out of the list in O(1): the last task takes its place.
func (l *Loop) removeTask(t *task) {
	last := l.tasks[len(l.tasks)-1]
	l.tasks[t.index] = last
	last.index = t.index
	l.tasks[len(l.tasks)-1] = nil
	l.tasks = l.tasks[:len(l.tasks)-1]
	t.index = -1
}
