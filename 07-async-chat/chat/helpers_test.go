package chat

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testServer is a chat server on 127.0.0.1:0, run by BlockOn on its own
// goroutine.
type testServer struct {
	t     *testing.T
	addr  string
	stop  executor.Notify
	done  chan error
	stats Stats
}

func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	cfg.Addr = "127.0.0.1:0"
	if cfg.Logger == nil && testing.Verbose() && os.Getenv("LOG_LEVEL") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
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
	ts := &testServer{t: t, addr: srv.Addr().String(), done: make(chan error, 1)}
	go func() {
		res, err := executor.BlockOn(ex, srv.Serve(&ts.stop))
		ts.stats = srv.Stats() // read before done is closed: happens-before the test reads it
		if err == nil {
			err = res
		}
		ts.done <- err
	}()
	t.Cleanup(func() {
		within := 20 * time.Second
		if t.Failed() {
			within = 3 * time.Second // a broken server may never stop: fail soon
		}
		ts.shutdown(within)
	})
	return ts
}

// shutdown stops the server (once) and waits for Serve to return.
func (ts *testServer) shutdown(within time.Duration) {
	ts.t.Helper()
	if ts.done == nil {
		return
	}
	ts.stop.Notify()
	select {
	case err := <-ts.done:
		if err != nil {
			ts.t.Errorf("Serve = %v, want nil after a clean shutdown", err)
		}
	case <-time.After(within):
		ts.t.Fatalf("the server did not stop within %v of the stop signal", within)
	}
	ts.done = nil
}

// chatter is a test client.
type chatter struct {
	t    testing.TB
	c    net.Conn
	r    *bufio.Reader
	name string
}

// dial connects and reads the welcome line, which names the client.
func (ts *testServer) dial(t testing.TB) *chatter {
	t.Helper()
	return ts.dialWith(t, net.Dialer{})
}

// dialSmall dials with a small receive buffer: a client that stops reading
// then pushes back after kilobytes, not megabytes.
func (ts *testServer) dialSmall(t testing.TB) *chatter {
	t.Helper()
	return ts.dialWith(t, net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}})
}

func (ts *testServer) dialWith(t testing.TB, d net.Dialer) *chatter {
	t.Helper()
	ch, err := ts.connect(t, d)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// connect is dial for goroutines other than the test's: it returns its
// error instead of failing the test.
func (ts *testServer) connect(t testing.TB, d net.Dialer) (*chatter, error) {
	c, err := d.Dial("tcp", ts.addr)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	ch := &chatter{t: t, c: c, r: bufio.NewReader(c)}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	welcome, err := ch.r.ReadString('\n')
	if err != nil || !strings.HasPrefix(welcome, "* you are guest-") {
		return nil, fmt.Errorf("first line %q (%v), want it to start with \"* you are guest-\"", welcome, err)
	}
	ch.name = strings.TrimSuffix(strings.Fields(welcome)[3], ";")
	return ch, nil
}

func (ch *chatter) send(lines ...string) {
	ch.t.Helper()
	ch.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(ch.c, strings.Join(lines, "\n")+"\n"); err != nil {
		ch.t.Fatalf("%s: write: %v", ch.name, err)
	}
}

// line reads one line (without "\n"), failing after 10 s.
func (ch *chatter) line() string {
	ch.t.Helper()
	ch.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	s, err := ch.r.ReadString('\n')
	if err != nil {
		ch.t.Fatalf("%s: read: %v (after %q)", ch.name, err, s)
	}
	return strings.TrimSuffix(s, "\n")
}

// until reads lines until one satisfies ok, and returns it.
func (ch *chatter) until(ok func(string) bool) string {
	ch.t.Helper()
	for {
		if s := ch.line(); ok(s) {
			return s
		}
	}
}

func (ch *chatter) expect(want string) {
	ch.t.Helper()
	if got := ch.until(func(s string) bool { return s == want || !strings.HasSuffix(s, " joined") }); got != want {
		ch.t.Fatalf("%s read %q, want %q", ch.name, got, want)
	}
}

// eof reads until the server closes the connection and returns what came.
func (ch *chatter) eof() string {
	ch.t.Helper()
	ch.c.SetReadDeadline(time.Now().Add(15 * time.Second))
	b, err := io.ReadAll(ch.r)
	if err != nil {
		ch.t.Fatalf("%s: waiting for the server to close: %v (read %d bytes)", ch.name, err, len(b))
	}
	return string(b)
}
