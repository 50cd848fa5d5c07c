package tcp

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// A non-blocking read, write or accept hardly ever meets a signal, so the
// retry is tested on its own: EINTR twice, then an answer.
func TestIgnoringEINTRRetriesUntilAnAnswer(t *testing.T) {
	calls := 0
	n, err := ignoringEINTR(func() (int, error) {
		calls++
		if calls < 3 {
			return -1, unix.EINTR
		}
		return 7, nil
	})
	if n != 7 || err != nil || calls != 3 {
		t.Errorf("ignoringEINTR = %d, %v after %d calls; want 7, nil after 3", n, err, calls)
	}
	calls = 0
	_, err = ignoringEINTR(func() (int, error) { calls++; return 0, unix.EAGAIN })
	if !errors.Is(err, unix.EAGAIN) || calls != 1 {
		t.Errorf("ignoringEINTR(EAGAIN) = %v after %d calls; want EAGAIN after 1", err, calls)
	}
}
