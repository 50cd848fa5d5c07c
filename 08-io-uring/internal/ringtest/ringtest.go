// Package ringtest is what every test of stage 08 shares: it skips a test,
// with the reason, where io_uring is not available, and fails it instead when
// CI=true, so that CI never passes by skipping the stage.
package ringtest

import (
	"os"
	"testing"
)

// Require skips t if avail (uring.Available's answer) is not nil, unless the
// environment says CI=true: then the test fails, because on the CI machine
// io_uring is available and a skipped stage would pass unseen.
func Require(t testing.TB, avail error) {
	t.Helper()
	if avail == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %v", avail)
	}
	t.Skipf("skipped: %v", avail)
}
