//go:build ex_drain_wrong_eofnil

package tcp

import (
	"errors"
	"io"
)

// Drain, wrong answer for ex_drain: it reads until would-block, but takes
// end of file for "nothing more for now" and hides it, so the caller waits
// for an edge that will never come from a closed peer.
func Drain(r io.Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		switch {
		case errors.Is(err, ErrWouldBlock), errors.Is(err, io.EOF):
			return out, nil
		case err != nil:
			return out, err
		}
	}
}
