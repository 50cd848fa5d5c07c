//go:build ex_shortwrite_wrong_alias

package echo

import (
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// writeOrKeep, a plausible wrong answer to ex_shortwrite: it keeps the rest
// as a window into the shared read buffer instead of a copy, so the next
// read of any other connection overwrites what this one has yet to send.
func writeOrKeep(cx *future.Context, st *executor.Stream, p []byte) (rest []byte, err error) {
	for len(p) > 0 {
		n, err := st.PollWrite(cx, p)
		p = p[n:]
		if err != nil {
			return p, err
		}
	}
	return nil, nil
}
