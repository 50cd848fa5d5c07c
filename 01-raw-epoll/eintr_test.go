//go:build linux

package main

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestIgnoringEINTRRetriesOnlyEINTR(t *testing.T) {
	for _, tt := range []struct {
		name      string
		errs      []error // what successive calls return
		wantCalls int
		wantErr   error
	}{
		{"success at once", []error{nil}, 1, nil},
		{"interrupted twice, then success", []error{unix.EINTR, unix.EINTR, nil}, 3, nil},
		{"EAGAIN is returned, not retried", []error{unix.EAGAIN}, 1, unix.EAGAIN},
		{"interrupted, then a real error", []error{unix.EINTR, unix.EBADF}, 2, unix.EBADF},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			v, err := ignoringEINTR(func() (int, error) {
				err := tt.errs[calls]
				calls++
				return calls, err
			})
			if err != tt.wantErr || calls != tt.wantCalls || v != tt.wantCalls {
				t.Errorf("ignoringEINTR = %d, %v after %d calls; want %d, %v after %d", v, err, calls, tt.wantCalls, tt.wantErr, tt.wantCalls)
			}
		})
	}
}
