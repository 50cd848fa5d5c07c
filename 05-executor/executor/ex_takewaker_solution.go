//go:build !ex_takewaker && !ex_takewaker_wrong_clearfirst && !ex_takewaker_wrong_noflag

package executor

import "github.com/async-from-scratch/course/04-futures/future"

// setReady handles an event for one direction of a source: flag is
// &readable or &writable, slot is &readWaker or &writeWaker. The direction
// is ready again (the next operation tries its system call), and the task
// waiting for it, if any, is woken. The waker is taken out of the slot: it
// was stored for this one wake. The task stores a new one if it has to wait
// again; until then, later events of this direction have nobody to wake.
//
// Exercise ex_takewaker (docs/05-executor.md). Check your work with the
// command in ex_takewaker_starter.go.
func (ex *Executor) setReady(flag *bool, slot *future.Waker) {
	*flag = true
	if w := *slot; w != nil {
		*slot = nil
		ex.wake(w)
	}
}
