package executor

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
	"golang.org/x/sys/unix"
)

// Closing a Listener while its accepter backs off after EMFILE wakes the
// accepter, which gets ErrClosed. During the back-off its waker lives only
// in the back-off timer, so a Close that just stopped the timer would leave
// it asleep for good. The back-off is an hour here: only Close can end it.
func TestListenerCloseDuringBackoffWakesAccepter(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	acceptConn = func(*tcp.Listener) (*tcp.Stream, netip.AddrPort, error) {
		return nil, netip.AddrPort{}, unix.EMFILE
	}
	defer func() { acceptConn = (*tcp.Listener).Accept }()
	defer func(d time.Duration) { acceptBackoff = d }(acceptBackoff)
	acceptBackoff = time.Hour

	ex := newExecutor(t, Options{})
	got := blockOn(t, ex, async(func(co *future.Co) string {
		l, err := ex.Listen("127.0.0.1:0")
		if err != nil {
			return err.Error()
		}
		accepter := Spawn(ex, l.Accept())
		// Let the accepter run: it meets EMFILE and backs off.
		if !yieldUntil(co, 100, func() bool { return l.backoff != nil }) {
			return "the accepter is not backing off after EMFILE"
		}
		if err := l.Close(); err != nil {
			return "Close: " + err.Error()
		}
		r := await(co, Timeout(ex, 2*time.Second, future.Future[Result[Result[*Stream]]](accepter)))
		switch {
		case r.Err != nil:
			return "lost wakeup: Listener.Close during the EMFILE back-off did not wake the task waiting in Accept"
		case !errors.Is(r.Value.Value.Err, ErrClosed):
			return "the accepter got " + errString(r.Value.Value.Err) + ", want ErrClosed"
		}
		return "ok"
	}))
	if got != "ok" {
		t.Error(got)
	}
}
