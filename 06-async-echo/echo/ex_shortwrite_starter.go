//go:build ex_shortwrite

package echo

import (
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// writeOrKeep writes p, which is borrowed from the server's shared read
// buffer, and returns what the socket did not take, as a copy of its own. A
// write may be short: the kernel takes what fits in the socket's send
// buffer. The caller must not read again until the returned rest is flushed.
//
// Exercise ex_shortwrite (docs/06-async-echo.md). Check your work with:
//
//	go test -tags ex_shortwrite -run 'TestEcho/machine/(large|stalled)' ./06-async-echo/echo
func writeOrKeep(cx *future.Context, st *executor.Stream, p []byte) (rest []byte, err error) {
	_, err = st.PollWrite(cx, p) // TODO(ex_shortwrite): a write may be short; keep what it did not take.
	return nil, err
}
