//go:build linux && ex_partial_wrong_droprest

package main

// nextMessage, wrong answer for ex_partial: it waits for a whole message but
// then empties c.in, dropping whatever came after it in the same read.
func (c *conn) nextMessage() (string, bool) {
	if len(c.in) < msgLen {
		return "", false
	}
	msg := string(c.in[:msgLen])
	c.in = c.in[:0]
	return msg, true
}
