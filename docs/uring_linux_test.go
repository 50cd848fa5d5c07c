package docs

import (
	"os"
	"testing"

	"github.com/async-from-scratch/course/08-io-uring/uring"
)

// requireIOUring skips t where io_uring is not available (an old kernel, a
// seccomp profile that forbids it), unless CI=true: the CI machine has it, and
// a skipped check would pass unseen. It is 08-io-uring/internal/ringtest's
// rule, which this package cannot import.
func requireIOUring(t *testing.T) {
	t.Helper()
	err := uring.Available()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %v", err)
	}
	t.Skipf("skipped: %v", err)
}
