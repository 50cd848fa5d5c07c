//go:build linux && !ex_partial && !ex_partial_wrong_droprest && !ex_partial_wrong_upto

package main

// nextMessage takes one whole message off the front of c.in and reports
// whether there was one. One read is not one message: TCP delivers a stream
// of bytes, not the writer's chunks, so a read may return half a message,
// or a message and a half. Bytes wait in c.in until msgLen have arrived.
//
// Exercise ex_partial (docs/01-raw-epoll.md). Check your work with:
//
//	go test -tags ex_partial -run 'NextMessage' ./01-raw-epoll
func (c *conn) nextMessage() (string, bool) {
	if len(c.in) < msgLen {
		return "", false // part of a message at most: wait for the rest
	}
	msg := string(c.in[:msgLen])
	c.in = c.in[msgLen:]
	return msg, true
}
