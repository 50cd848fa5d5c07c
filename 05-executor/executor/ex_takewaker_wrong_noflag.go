//go:build ex_takewaker_wrong_noflag

package executor

import "github.com/async-from-scratch/course/04-futures/future"

// setReady, wrong answer for ex_takewaker: it takes the waker and wakes it,
// but leaves the direction marked not ready. The woken task skips the
// system call and waits again, for an edge that already came.
func (ex *Executor) setReady(flag *bool, slot *future.Waker) {
	_ = flag
	if w := *slot; w != nil {
		*slot = nil
		ex.wake(w)
	}
}
