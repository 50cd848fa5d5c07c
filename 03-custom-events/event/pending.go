package event

import "sync/atomic"

// pendingFlag is the pending bit of a user event: an atomic.Bool whose Load
// a test can hold up (testHookPendingLoad). The test holds two racing Sets
// right after they looked at the flag: a Set that looks with Load and then
// sets with Store lets both through there, one CompareAndSwap does not.
type pendingFlag struct {
	atomic.Bool
}

// testHookPendingLoad, if set by a test, runs after every pendingFlag.Load.
var testHookPendingLoad func()

// Load reports the flag, then runs testHookPendingLoad if a test set one.
func (f *pendingFlag) Load() bool {
	v := f.Bool.Load()
	if testHookPendingLoad != nil {
		testHookPendingLoad()
	}
	return v
}
