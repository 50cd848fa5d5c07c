//go:build linux && ex_eagain_wrong_once

package main

import (
	"errors"
	"io"

	"golang.org/x/sys/unix"
)

// fill, wrong answer for ex_eagain: EAGAIN is "not now", but it reads once
// per event, as a level-triggered loop may. Under edge triggering the bytes
// left behind never produce another event.
func (c *conn) fill() (int, error) {
	n, err := readFD(c.fd, c.buf)
	if errors.Is(err, unix.EAGAIN) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, io.EOF
	}
	c.in = append(c.in, c.buf[:n]...)
	c.got += n
	return n, nil
}
