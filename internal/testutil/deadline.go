package testutil

import (
	"testing"
	"time"
)

// Within runs f and fails the test if it has not returned after d. Use it
// around anything that waits (a Poll, an executor, a server): a bug then fails
// in seconds with a message that names what hung, instead of at go test's
// ten-minute default. If f hangs, the goroutine running it is abandoned.
//
// f runs on another goroutine, so it must report failures with t.Error, not
// t.Fatal (FailNow only works on the test's own goroutine).
func Within(t testing.TB, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("%s did not finish within %v: running too slowly or stuck", what, d)
	}
}
