//go:build linux

package main

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// The protocol: the server sends ping, the client answers pong, and that is
// one round. Both messages are msgLen bytes long.
const (
	ping   = "PING"
	pong   = "PONG"
	msgLen = 4
)

// conn is one end of the conversation and the bytes in flight at that end.
// TCP is a byte stream: the kernel may hand us part of a message, or more
// than one, so reads accumulate in in, and a write the kernel took only in
// part leaves the rest in out.
type conn struct {
	name   string    // "server" or "client", for messages
	fd     int       // non-blocking socket; closed by exchange.close
	expect string    // the message this end must receive
	buf    []byte    // read buffer; its length is the most one read returns
	in     []byte    // bytes read that do not yet make a whole message
	out    []byte    // bytes to send that the kernel has not taken yet
	sent   int       // bytes written, for the summary
	got    int       // bytes read, for the summary
	trace  io.Writer // nil, or where to print each read and write
}

func newConn(name string, fd int, expect string, chunk int, trace io.Writer) *conn {
	return &conn{name: name, fd: fd, expect: expect, buf: make([]byte, chunk), trace: trace}
}

// flush writes c.out until it is empty or the kernel says EAGAIN, and
// returns how many bytes it wrote. EAGAIN means the send buffer is full:
// not a failure, "not now"; the socket's next writable event says when there
// is room again. A short write is normal too: the rest stays in c.out.
func (c *conn) flush() (int, error) {
	total := 0
	for len(c.out) > 0 {
		n, err := writeFD(c.fd, c.out)
		if errors.Is(err, unix.EAGAIN) {
			break // not now: wait for the next writable event
		}
		if err != nil {
			return total, err
		}
		c.tracef("wrote %q", c.out[:n])
		c.out = c.out[n:]
		c.sent += n
		total += n
	}
	return total, nil
}

func (c *conn) tracef(format string, args ...any) {
	if c.trace != nil {
		fmt.Fprintf(c.trace, "  %s: "+format+"\n", append([]any{c.name}, args...)...)
	}
}
