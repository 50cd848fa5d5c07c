//go:build ex_shortwrite_wrong_dropped

package echo

import (
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// writeOrKeep, a plausible wrong answer to ex_shortwrite: it loops over
// short writes but gives up at the first error, ErrPending included, so
// what the full socket did not take is dropped instead of kept.
func writeOrKeep(cx *future.Context, st *executor.Stream, p []byte) (rest []byte, err error) {
	for len(p) > 0 {
		n, err := st.PollWrite(cx, p)
		if err != nil {
			return nil, err
		}
		p = p[n:]
	}
	return nil, nil
}
