//go:build linux

package echo

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
	"github.com/async-from-scratch/course/08-io-uring/internal/ringtest"
	"github.com/async-from-scratch/course/08-io-uring/loop"
	"github.com/async-from-scratch/course/08-io-uring/uring"
	"github.com/async-from-scratch/course/internal/testutil"
)

// testServer is a server running on its own loop, on another goroutine.
type testServer struct {
	addr  string
	stop  executor.Notify
	errc  chan error
	stats loop.Stats // after shutdown
}

// startServer starts a server with cfg (Addr defaults to 127.0.0.1:0) and
// stops it when the test ends, checking it stopped cleanly; it also checks
// that no descriptor is left open.
func startServer(t *testing.T, cfg Config, opts loop.Options) *testServer {
	t.Helper()
	ringtest.Require(t, uring.Available())
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Grace == 0 {
		cfg.Grace = 100 * time.Millisecond
	}
	l, err := loop.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen(l, cfg)
	if err != nil {
		l.Close()
		t.Fatal(err)
	}
	ts := &testServer{addr: srv.Addr().String(), errc: make(chan error, 1)}
	go func() {
		res, err := loop.Run(l, future.Future[error](srv.Serve(&ts.stop)))
		ts.stats = l.Stats()
		if err == nil {
			err = res
		}
		ts.errc <- err
	}()
	t.Cleanup(func() { ts.shutdown(t) })
	return ts
}

// shutdown stops the server (once) and waits for Run to return.
func (ts *testServer) shutdown(t *testing.T) {
	t.Helper()
	if ts.errc == nil {
		return
	}
	ts.stop.Notify()
	testutil.Within(t, 20*time.Second, "server shutdown", func() {
		if err := <-ts.errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	ts.errc = nil
}

func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return c.(*net.TCPConn)
}

func netDial(addr string) (loadgen.Conn, error) { return net.DialTimeout("tcp", addr, 10*time.Second) }

// pump writes data from one goroutine while this one reads the echo, and
// returns it once the writer half-closed and the server closed. A delay
// before reading lets the socket buffers fill up, so the server's sends come
// up short or wait.
func pump(t *testing.T, c *net.TCPConn, data []byte, delay time.Duration) []byte {
	t.Helper()
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		if err == nil {
			err = c.CloseWrite()
		}
		werr <- err
	}()
	time.Sleep(delay)
	got, err := io.ReadAll(c)
	if err != nil {
		t.Errorf("reading the echo: %v (got %d of %d bytes)", err, len(got), len(data))
	}
	if err := <-werr; err != nil {
		t.Errorf("writing: %v", err)
	}
	return got
}
