//go:build !ex_shortwrite

package echo

import (
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// writeOrKeep writes p, which is borrowed from the server's shared read
// buffer, and returns what the socket did not take, copied into keep's
// storage (keep is empty on entry). A write may be short: the kernel takes
// what fits in the socket's send buffer. The caller must not read again until
// the returned rest is flushed.
func writeOrKeep(cx *future.Context, st *executor.Stream, p, keep []byte) (rest []byte, err error) {
	for len(p) > 0 {
		n, err := st.PollWrite(cx, p)
		p = p[n:]
		if err != nil {
			// ErrPending included: the rest waits in keep for writability.
			// p is the shared buffer, overwritten by the next read of any
			// connection, so the rest must be copied.
			return append(keep[:0], p...), err
		}
	}
	return nil, nil
}
