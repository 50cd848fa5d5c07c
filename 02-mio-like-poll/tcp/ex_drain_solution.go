//go:build !ex_drain && !ex_drain_wrong_eofnil && !ex_drain_wrong_lastread

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
// Exercise ex_drain (docs/02-mio-like-poll.md).
func Drain(r io.Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		switch {
		case errors.Is(err, ErrWouldBlock):
			return out, nil // drained: now it is safe to wait for the next edge
		case err != nil:
			return out, err
		}
	}
}
