//go:build ex_halfclose_wrong_error

package echo

import (
	"io"

	"github.com/async-from-scratch/course/04-futures/future"
)

// onEOF, a plausible wrong answer to ex_halfclose: it closes, but reports
// the client's half-close as a failure (the close log says err=EOF).
func (c *echoConn) onEOF() future.Poll[struct{}] {
	return c.finish(io.EOF)
}
