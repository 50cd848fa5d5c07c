//go:build ex_halfclose

package echo

// onEOF runs when PollRead reports io.EOF: the client has shut down its
// sending side (nc after its input ends, a shutdown(SHUT_WR)). It may still
// be reading. It reports whether the connection can be closed now.
//
// Exercise ex_halfclose (docs/06-async-echo.md). Check your work with:
//
//	go test -tags ex_halfclose -run 'TestEcho/machine/half-close' ./06-async-echo/echo
func (c *echoConn) onEOF() (closeNow bool) {
	return false // TODO(ex_halfclose): EOF is not "no data yet": remember it and close once everything is echoed.
}
