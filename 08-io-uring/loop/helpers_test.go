//go:build linux

package loop

import (
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/08-io-uring/internal/ringtest"
	"github.com/async-from-scratch/course/08-io-uring/uring"
	"github.com/async-from-scratch/course/internal/testutil"
)

func newLoop(t *testing.T, opts Options) *Loop {
	t.Helper()
	ringtest.Require(t, uring.Available())
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	l, err := New(opts)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return l
}

// run is Run with a watchdog: a lost CQE or wake fails in seconds.
func run[T any](t *testing.T, l *Loop, what string, fut future.Future[T]) T {
	t.Helper()
	var v T
	var err error
	testutil.Within(t, 20*time.Second, what, func() { v, err = Run(l, fut) })
	if err != nil {
		t.Fatalf("%s: Run() = %v", what, err)
	}
	return v
}

// listen opens a listening socket on 127.0.0.1:0 (stage 02's tcp package);
// the test closes it.
func listen(t *testing.T) *tcp.Listener {
	t.Helper()
	ln, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func dial(t *testing.T, ln *tcp.Listener) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c.(*net.TCPConn)
}

// closeFd is for descriptors a test got from Accept.
func closeFd(fd int) { unix.Close(fd) }

func writeTemp(t *testing.T, data []byte) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "readat")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	return f
}
