package echo

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

// childMains are the programs this test binary becomes when re-executed
// with the named environment variable set (see emfile_test.go).
var childMains = map[string]func() int{}

func TestMain(m *testing.M) {
	for env, child := range childMains {
		if os.Getenv(env) != "" {
			os.Exit(child())
		}
	}
	goleak.VerifyTestMain(m)
}

// scale returns n, or n/div under the race detector.
func scale(n, div int) int {
	if raceOn {
		return max(1, n/div)
	}
	return n
}

// testServer is a server on 127.0.0.1:0 running on its own executor goroutine.
type testServer struct {
	addr string
	stop func() // fires the stop trigger (every loop's, with Loops > 1)
	done chan error
}

// startServer starts a server with cfg (Addr is forced to 127.0.0.1:0) and
// stops it at the end of the test, failing if it does not stop in time.
// Set LOG_LEVEL=debug to see its log.
func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if cfg.Grace == 0 {
		cfg.Grace = 500 * time.Millisecond
	}
	if os.Getenv("LOG_LEVEL") == "debug" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.Loops > 1 {
		return startGroup(t, cfg)
	}
	ex, err := executor.New(executor.Options{Logger: cfg.Logger})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen(ex, cfg)
	if err != nil {
		ex.Close()
		t.Fatal(err)
	}
	var stop executor.Notify
	ts := &testServer{addr: srv.Addr().String(), stop: stop.Notify, done: make(chan error, 1)}
	go func() {
		v, err := executor.BlockOn(ex, srv.Serve(&stop))
		ts.done <- errors.Join(v, err)
	}()
	t.Cleanup(func() { ts.shutdown(t) })
	return ts
}

// startGroup is startServer for cfg.Loops > 1: a Group, run until shutdown.
func startGroup(t *testing.T, cfg Config) *testServer {
	t.Helper()
	g, err := ListenGroup(cfg, executor.Options{Logger: cfg.Logger})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{addr: g.Addr().String(), stop: g.Stop, done: make(chan error, 1)}
	go func() { ts.done <- g.Run() }()
	t.Cleanup(func() { ts.shutdown(t) })
	return ts
}

// shutdown fires the stop trigger and waits for Serve to return nil.
func (ts *testServer) shutdown(t *testing.T) {
	t.Helper()
	if ts.done == nil {
		return
	}
	ts.stop()
	select {
	case err := <-ts.done:
		if err != nil {
			t.Errorf("server returned %v, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Errorf("server did not stop within 20s of Notify")
	}
	ts.done = nil
}

func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return c.(*net.TCPConn)
}

func netDial(addr string) (loadgen.Conn, error) { return net.DialTimeout("tcp", addr, 10*time.Second) }

// pump writes data from one goroutine, waits delay, reads the echo, and
// returns it once the writer has half-closed and the server closed. A delay
// lets the socket buffers fill up: the server's writes come up short.
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

func checkFDs(t *testing.T) {
	t.Helper()
	testutil.CheckNoFDLeak(t)
}

func newExecutor(t *testing.T) *executor.Executor {
	t.Helper()
	ex, err := executor.New(executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ex
}
