package executor

import "github.com/async-from-scratch/course/04-futures/future"

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
	if !ex.start(&d.task) {
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
			fut := d.fut
			d.fut = nil
			d.task.drop(fut) // what the future owns (its socket) is closed now
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
