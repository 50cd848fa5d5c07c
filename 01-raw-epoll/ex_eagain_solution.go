//go:build linux && !ex_eagain && !ex_eagain_wrong_equal && !ex_eagain_wrong_once

package main

import (
	"errors"
	"io"

	"golang.org/x/sys/unix"
)

// fill reads everything the socket holds right now into c.in and returns how
// many bytes it read. It stops when read fails with EAGAIN: the receive
// buffer is empty. That is not an error but "not now": the socket's next
// readable event will say when more has arrived. Stopping any earlier would
// be a bug under edge-triggered epoll: the event for the bytes left behind
// has been delivered already, and no new one comes until more data arrives.
// A read of 0 bytes is end of file (the peer closed): fill returns io.EOF.
//
// Exercise ex_eagain (docs/01-raw-epoll.md). Check your work with:
//
//	go test -tags ex_eagain -run 'Fill|Exchange' ./01-raw-epoll
func (c *conn) fill() (int, error) {
	total := 0
	for {
		n, err := readFD(c.fd, c.buf)
		if errors.Is(err, unix.EAGAIN) {
			return total, nil // not now: wait for the next readable event
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
