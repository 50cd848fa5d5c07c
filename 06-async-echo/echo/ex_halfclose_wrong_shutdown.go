//go:build ex_halfclose_wrong_shutdown

package echo

import (
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/04-futures/future"
)

// onEOF, a plausible wrong answer to ex_halfclose: it answers the client's
// half-close with its own (the client reads EOF and is happy), then waits
// for an event that never comes: the connection, its descriptor and its
// MaxConns slot stay taken until shutdown.
func (c *echoConn) onEOF() future.Poll[struct{}] {
	_ = c.st.Shutdown(tcp.ShutWrite)
	return future.Pending[struct{}]()
}
