//go:build !ex_halfclose && !ex_halfclose_wrong_error && !ex_halfclose_wrong_shutdown

package echo

import "github.com/async-from-scratch/course/04-futures/future"

// onEOF runs when PollRead reports io.EOF: the client has shut down its
// sending side (nc after Ctrl-D, a shutdown(SHUT_WR)). It may still be
// reading, but nothing is left to send it: Poll reads only once everything
// read before has been written. So the connection is done.
//
// EOF is not "no data yet": no event will ever come for this direction
// again, and another read would only say EOF again at once.
func (c *echoConn) onEOF() future.Poll[struct{}] {
	return c.finish(nil) // the client's normal goodbye, not an error
}
