//go:build ex_drain_wrong_lastread

package tcp

import (
	"errors"
	"io"
)

// Drain, wrong answer for ex_drain: it reads until would-block, but keeps
// only the bytes of the last read that returned any.
func Drain(r io.Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			out = buf[:n]
		}
		switch {
		case errors.Is(err, ErrWouldBlock):
			return out, nil
		case err != nil:
			return out, err
		}
	}
}
