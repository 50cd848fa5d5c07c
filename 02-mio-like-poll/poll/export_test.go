package poll

// SetTestHookAfterWait installs f to run between the kernel's answer and
// translate (nil removes it), for the tests in package poll_test.
func SetTestHookAfterWait(f func()) { testHookAfterWait = f }
