package future

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test in this package must leave no goroutine behind: an Async future
// that is finished or dropped has ended its coroutine.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
