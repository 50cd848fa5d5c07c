//go:build linux && ex_partial_wrong_upto

package main

// nextMessage, wrong answer for ex_partial: it never takes more than one
// message, but it takes whatever part of one has arrived.
func (c *conn) nextMessage() (string, bool) {
	if len(c.in) == 0 {
		return "", false
	}
	n := min(len(c.in), msgLen)
	msg := string(c.in[:n])
	c.in = c.in[n:]
	return msg, true
}
