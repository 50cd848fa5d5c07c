//go:build linux

package main

import (
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"go.uber.org/goleak"

	"github.com/async-from-scratch/course/06-async-echo/benchserver"
	"github.com/async-from-scratch/course/08-io-uring/internal/ringtest"
	"github.com/async-from-scratch/course/08-io-uring/uring"
	"github.com/async-from-scratch/course/internal/testutil"
)

func TestMain(m *testing.M) {
	if kind := os.Getenv(childEnv); kind != "" {
		os.Exit(benchserver.Serve(kind, startServerKind))
	}
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("os/signal.signal_recv"))
}

func TestDemos(t *testing.T) {
	ringtest.Require(t, uring.Available())
	if out, want := testutil.RunDemo(t, run, "demos"), "selftest\nload\n"; out != want {
		t.Errorf("demos printed %q, want %q", out, want)
	}
	testutil.RunDemos(t, run, []testutil.DemoCase{
		{Args: []string{"selftest"}, Want: []string{"server listening", "80 messages of 1000 bytes echoed and verified", "server stopped cleanly"}},
		{Args: []string{"load", "-conns", "4", "-duration", "100ms"}, Want: []string{"4 connections, 64-byte messages", "messages/s, round trip p50"}},
		{Args: []string{"-h"}, Want: []string{"  selftest  start the server", "usage of server:\n  -addr string"}},
	})
}

func TestUserErrors(t *testing.T) {
	ringtest.Require(t, uring.Available())
	testutil.RunErrors(t, run, []testutil.ErrorCase{
		{Args: []string{"-addr", testutil.BusyAddr(t)}, Want: "address already in use", Is: syscall.EADDRINUSE},
		{Args: []string{"-addr", "nonsense"}, Want: `bad address "nonsense"`},
		{Args: []string{"fly"}, Want: `unknown demo "fly"; the demos are: selftest, load`},
		{Args: []string{"-mode", "file"}, Want: "-mode file needs -root DIR"},
		{Args: []string{"-mode", "chat", "-addr", "127.0.0.1:0"}, Want: `unknown mode "chat"`},
		{Args: []string{"-mode", "file", "-root", "/does/not/exist"}, Want: "-root: open /does/not/exist: no such file or directory", Is: fs.ErrNotExist},
		// With a bad address too, so that a missing check fails at once
		// instead of serving on a port.
		{Args: []string{"-idle", "-1s", "-addr", "nonsense"}, Want: "-idle must not be negative (0: never)"},
		{Args: []string{"-max-conns", "-1", "-addr", "nonsense"}, Want: "-max-conns must not be negative (0: no limit)"},
		{Args: []string{"-grace", "0", "-addr", "nonsense"}, Want: "-grace must be positive"},
		{Args: []string{"-nope"}, Want: "server: flag provided but not defined: -nope"},
		{Args: []string{"load", "-conns", "0"}, Want: "-conns and -size must be at least 1"},
	})
}

// TestSignalStopsTheServer sends a real SIGTERM and SIGINT to this test
// process while run has its handler installed.
func TestSignalStopsTheServer(t *testing.T) {
	ringtest.Require(t, uring.Available())
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) { testSignal(t, sig) })
	}
}

func testSignal(t *testing.T, sig syscall.Signal) {
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	srv := testutil.StartServer(t, run, &readyHook, "-addr", "127.0.0.1:0", "-grace", "200ms")
	c := srv.Dial(t)
	echoHi(t, c)
	if err := srv.Stop(t, sig); err != nil {
		t.Errorf("run after %v = %v, want nil (exit 0)", sig, err)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open after shutdown")
	}
	testutil.WantLines(t, srv.Stderr.String(), "msg=listening", "msg=connection", "msg=signal signal="+sig.String(), `msg="shutting down" open=1`, "msg=closed", "msg=stopped")
}

// TestDumpSignal sends SIGUSR1 to a running server with one connection: the
// loop's task dump goes to standard error, naming the connection's recv and
// the loop's totals, and the server goes on echoing.
func TestDumpSignal(t *testing.T) {
	ringtest.Require(t, uring.Available())
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	srv := testutil.StartServer(t, run, &readyHook, "-addr", "127.0.0.1:0", "-grace", "200ms")
	c := srv.Dial(t)
	echoHi(t, c)
	// Right after an echo the connection's task may still be scheduled (its
	// send's CQE just woke it); dump until it is idle.
	for dumps := 1; !strings.Contains(srv.Stderr.String(), "recv fd "); dumps++ {
		srv.Signal(t, syscall.SIGUSR1)
		if !srv.AwaitStderr(t, "end of task dump", dumps) {
			break
		}
	}
	echoHi(t, c) // the server went on
	if err := srv.Stop(t, syscall.SIGTERM); err != nil {
		t.Errorf("run = %v", err)
	}
	log := srv.Stderr.String()
	t.Log("\n" + log)
	testutil.WantLines(t, log, "--- task dump (user defined signal 1): 1 loop ---", "loop: 2 tasks, ",
		" io_uring_enter calls, ", "  task  state", "recv fd ", "echo/server_linux.go:")
	if strings.Contains(log, `signal="user defined signal 1"`) || !strings.Contains(log, "msg=signal signal=terminated") {
		t.Errorf("SIGUSR1 must only dump, and SIGTERM then stop the server; the log says otherwise:\n%s", log)
	}
}

// echoHi sends two bytes and reads them back.
func echoHi(t *testing.T, c net.Conn) {
	t.Helper()
	c.Write([]byte("hi"))
	if _, err := io.ReadFull(c, make([]byte, 2)); err != nil {
		t.Errorf("echo: %v", err)
	}
}
