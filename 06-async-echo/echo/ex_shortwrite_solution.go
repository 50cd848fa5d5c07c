//go:build !ex_shortwrite && !ex_shortwrite_wrong_alias && !ex_shortwrite_wrong_dropped

package echo

import (
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// writeOrKeep writes p, which is borrowed from the server's shared read
// buffer, and returns what the socket did not take, as a copy of its own. A
// write may be short: the kernel takes what fits in the socket's send
// buffer. The caller must not read again until the returned rest is flushed.
func writeOrKeep(cx *future.Context, st *executor.Stream, p []byte) (rest []byte, err error) {
	for len(p) > 0 {
		n, err := st.PollWrite(cx, p)
		p = p[n:]
		if err != nil {
			// ErrPending included: the rest waits for writability.
			// p is the shared buffer, overwritten by the next read of any
			// connection, so the rest must be copied.
			return append([]byte(nil), p...), err
		}
	}
	return nil, nil
}
