package callbackloop

import (
	"errors"

	"golang.org/x/sys/unix"
)

// isFDLimit reports the errors that mean "no descriptor left for a new
// connection": the process (EMFILE) or the system (ENFILE) is at its limit.
func isFDLimit(err error) bool {
	return errors.Is(err, unix.EMFILE) || errors.Is(err, unix.ENFILE)
}
