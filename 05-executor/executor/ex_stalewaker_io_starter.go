//go:build ex_stalewaker_io

package executor

import "github.com/async-from-scratch/course/04-futures/future"

// storeWaker keeps w as the waker of one direction of a source (slot is
// &readWaker or &writeWaker). It is called on every poll that returns
// pending.
//
// Exercise ex_stalewaker_io (docs/05-executor.md): this is the blog's
// version, which keeps the first waker until it is used. Check with:
//
//	go test -tags ex_stalewaker_io -run 'TestStaleWaker' ./05-executor/executor
func storeWaker(slot *future.Waker, w future.Waker) {
	if *slot == nil { // TODO(ex_stalewaker_io): a future that moved to another task must wake that task
		*slot = w
	}
}
