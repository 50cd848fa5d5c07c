//go:build !ex_stalewaker_io

package executor

import "github.com/async-from-scratch/course/04-futures/future"

// storeWaker keeps w as the waker of one direction of a source (slot is
// &readWaker or &writeWaker). It is called on every poll that returns
// pending, and it always keeps the latest waker: the future may have moved
// to another task since its last poll, and only the latest poller is
// waiting for it.
func storeWaker(slot *future.Waker, w future.Waker) {
	*slot = w
}
