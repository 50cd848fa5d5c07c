//go:build ex_drain

package tcp

import (
	"errors"
	"io"
)

// Drain reads from r until it reports ErrWouldBlock and returns everything it
// read. This is the rule for edge-triggered readiness: the next edge only
// comes with new data, so a handler that stops before would-block may never
// hear about the bytes it left behind. At end of file Drain returns the bytes
// read so far with io.EOF; any other error comes back with them too.
//
// Exercise ex_drain (docs/02-mio-like-poll.md). Check your work with:
//
//	go test -tags ex_drain -run Drain ./02-mio-like-poll/tcp
func Drain(r io.Reader) ([]byte, error) {
	buf := make([]byte, 4096)
	n, err := r.Read(buf) // TODO(ex_drain): one read is not enough under edge-triggered readiness; loop until ErrWouldBlock.
	if errors.Is(err, ErrWouldBlock) {
		err = nil
	}
	return buf[:n], err
}
