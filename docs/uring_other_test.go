//go:build !linux

package docs

import "testing"

// requireIOUring skips t: io_uring is Linux only (see uring_linux_test.go).
func requireIOUring(t *testing.T) {
	t.Helper()
	t.Skip("skipped: stage 08 needs io_uring, which is Linux only")
}
