//go:build ex_takewaker_wrong_clearfirst

package executor

import "github.com/async-from-scratch/course/04-futures/future"

// setReady, wrong answer for ex_takewaker: it empties the slot before
// reading the waker out of it, so there is nothing left to wake.
func (ex *Executor) setReady(flag *bool, slot *future.Waker) {
	*flag = true
	*slot = nil
	if w := *slot; w != nil {
		ex.wake(w)
	}
}
