package echo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
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

// pump writes data from one goroutine, waits delay, and reads the echo
// back (see readEcho). A delay lets the socket buffers fill up: the
// server's writes come up short.
func pump(t *testing.T, c *net.TCPConn, data []byte, delay time.Duration) []byte {
	t.Helper()
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		werr <- err
	}()
	time.Sleep(delay)
	got, err := readEcho(c, len(data))
	if err != nil {
		t.Errorf("reading the echo: %v", err)
	}
	if err := <-werr; err != nil {
		t.Errorf("writing: %v", err)
	}
	return got
}

// echoStall bounds how long a client waits for the next byte of its echo,
// closeStall how long for the server's close once everything is echoed. A
// correct server answers in microseconds; a lost byte or a missed EOF then
// fails in seconds, not at the package timeout.
const (
	echoStall  = 3 * time.Second
	closeStall = 2 * time.Second
)

// readEcho reads n bytes from c. It gives up when no byte has come for
// echoStall, and says so with how far it got.
func readEcho(c net.Conn, n int) ([]byte, error) {
	got := make([]byte, 0, n)
	buf := make([]byte, 64<<10)
	for len(got) < n {
		_ = c.SetReadDeadline(time.Now().Add(echoStall))
		m, err := c.Read(buf[:min(len(buf), n-len(got))])
		got = append(got, buf[:m]...)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return got, fmt.Errorf("no byte for %v after %d of %d bytes of echo", echoStall, len(got), n)
		}
		if err != nil {
			return got, fmt.Errorf("after %d of %d bytes of echo: %w", len(got), n, err)
		}
	}
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	return got, nil
}

// awaitClose waits up to closeStall for the server to close c after the
// client half-closed and got its whole echo back.
func awaitClose(c net.Conn) error {
	_ = c.SetReadDeadline(time.Now().Add(closeStall))
	defer c.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := c.Read(make([]byte, 1))
	switch {
	case err == io.EOF:
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf(`the server did not close within %v of the client's half-close: EOF is not "no data yet"`, closeStall)
	case err != nil:
		return fmt.Errorf("waiting for the server's close after the half-close: %w", err)
	default:
		return fmt.Errorf("%d more byte(s) after the whole echo, want the server's close", n)
	}
}

// echoMismatch says how got differs from sent, the echo it should be, in
// the chapter's terms; "" when they are equal.
func echoMismatch(sent, got []byte) string {
	if bytes.Equal(sent, got) {
		return ""
	}
	i := 0
	for i < min(len(sent), len(got)) && sent[i] == got[i] {
		i++
	}
	what := "bytes came back changed"
	switch {
	case len(got) < len(sent):
		what = "bytes were lost: what a short write did not send must be kept and sent later"
	case len(got) > len(sent):
		what = "bytes came back twice"
	}
	return fmt.Sprintf("got %d of %d bytes back, different from byte %d on: %s", len(got), len(sent), i, what)
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

// serveOne serves one connection on an executor of its own: handle runs
// on the accepted stream, whose send buffer is set to sndbuf bytes first (a
// test's own socket option: with the megabytes a loopback socket grows to,
// the kernel reports writability only after a third of them drained). It
// returns the client's end, and BlockOn's error once handle is done.
func serveOne(t *testing.T, cfg Config, sndbuf int, handle func(*Server, *executor.Stream) future.Future[struct{}]) (*net.TCPConn, <-chan error) {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if os.Getenv("LOG_LEVEL") == "debug" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ex := newExecutor(t)
	srv, err := Listen(ex, cfg)
	if err != nil {
		ex.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := executor.BlockOn(ex, future.Async(func(co *future.Co) error {
			defer srv.ln.Close()
			st, err := future.Await(co, srv.ln.Accept()).Get()
			if err != nil {
				return err
			}
			if err := unix.SetsockoptInt(st.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, sndbuf); err != nil {
				st.Close()
				return err
			}
			future.Await(co, handle(srv, st))
			return nil
		}))
		done <- err
	}()
	return dial(t, srv.Addr().String()), done
}
