//go:build linux && ex_eagain_wrong_equal

package main

import (
	"io"

	"golang.org/x/sys/unix"
)

// fill, wrong answer for ex_eagain: it loops until EAGAIN, but compares
// with ==, and readFD wraps its error, so EAGAIN still ends up a failure.
func (c *conn) fill() (int, error) {
	total := 0
	for {
		n, err := readFD(c.fd, c.buf)
		if err == unix.EAGAIN { // the mistake: readFD wraps the errno
			return total, nil
		}
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, io.EOF
		}
		c.in = append(c.in, c.buf[:n]...)
		c.got += n
		total += n
	}
}
