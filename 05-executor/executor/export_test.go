package executor

// SetYieldBeforeBlock switches the Gosched-before-blocking step for a
// benchmark and returns a function that restores it.
func SetYieldBeforeBlock(on bool) (restore func()) {
	old := yieldBeforeBlock
	yieldBeforeBlock = on
	return func() { yieldBeforeBlock = old }
}
