//go:build !ex_halfclose

package echo

// onEOF runs when PollRead reports io.EOF: the client has shut down its
// sending side (nc after its input ends, a shutdown(SHUT_WR)). It may still
// be reading. It reports whether the connection can be closed now.
//
// EOF is not "no data yet": no event will ever come for this direction again,
// so waiting for one would leave the task asleep forever.
func (c *echoConn) onEOF() (closeNow bool) {
	c.eof = true                 // no more reads; once pending is flushed, close
	return len(c.pending()) == 0 // nothing left to echo: close now
}
