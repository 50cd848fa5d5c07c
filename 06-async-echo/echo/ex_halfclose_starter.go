//go:build ex_halfclose

package echo

import "github.com/async-from-scratch/course/04-futures/future"

// onEOF runs when PollRead reports io.EOF: the client has shut down its
// sending side (nc after Ctrl-D, a shutdown(SHUT_WR)). It may still be
// reading, but nothing is left to send it: Poll reads only once everything
// read before has been written. So the connection is done.
//
// Exercise ex_halfclose (docs/06-async-echo.md). Check your work with:
//
//	go test -tags ex_halfclose -run 'TestHalfClose/machine' ./06-async-echo/echo
func (c *echoConn) onEOF() future.Poll[struct{}] {
	return future.Pending[struct{}]() // TODO(ex_halfclose): EOF is not "no data yet": no event will come to wake this task.
}
