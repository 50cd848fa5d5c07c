//go:build linux

package loop

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind (a loop that did not
// stop, a coroutine never dropped).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
