package main

import (
	"io"
	"io/fs"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/async-from-scratch/course/06-async-echo/benchserver"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if kind := os.Getenv(childEnv); kind != "" {
		os.Exit(benchserver.Serve(kind, benchserver.StartKind))
	}
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("os/signal.signal_recv"))
}

func TestDemos(t *testing.T) {
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
	testutil.RunErrors(t, run, []testutil.ErrorCase{
		{Args: []string{"-addr", testutil.BusyAddr(t)}, Want: "address already in use", Is: syscall.EADDRINUSE},
		{Args: []string{"-addr", "nonsense"}, Want: `bad address "nonsense"`},
		{Args: []string{"fly"}, Want: `unknown demo "fly"; the demos are: selftest, load`},
		{Args: []string{"-mode", "file"}, Want: "-mode file needs -root DIR"},
		{Args: []string{"-mode", "file", "-root", "/does/not/exist"}, Want: "-root: open /does/not/exist: no such file or directory", Is: fs.ErrNotExist},
		{Args: []string{"-mode", "file", "-root", "main.go"}, Want: "-root: open main.go: not a directory"},
		{Args: []string{"-loops", "0"}, Want: "-loops must be at least 1"},
		// With a bad address too, so that a missing check fails here at
		// once instead of serving on a port.
		{Args: []string{"-idle", "-1s", "-addr", "nonsense"}, Want: "-idle must not be negative (0: never)"},
		{Args: []string{"-max-conns", "-1", "-addr", "nonsense"}, Want: "-max-conns must not be negative (0: no limit)"},
		{Args: []string{"-grace", "0", "-addr", "nonsense"}, Want: "-grace must be positive"},
		{Args: []string{"-nope"}, Want: "server: flag provided but not defined: -nope"},
		{Args: []string{"-addr", "127.0.0.1:0", "extra"}, Want: `server: unexpected argument "extra"`},
		{Args: []string{"selftest", "extra"}, Want: `selftest: unexpected argument "extra"`},
		{Args: []string{"load", "-conns", "0"}, Want: "-conns and -size must be at least 1"},
		{Args: []string{"load", "-bogus"}, Want: "load: flag provided but not defined: -bogus"},
	})
}

// TestSignalStopsTheServer sends a real SIGTERM or SIGINT (Ctrl-C) to this
// test process while run has its handler installed (run calls signal.Notify
// and, on return, signal.Stop, so the signal never reaches Go's default
// handler, which would kill the test binary).
func TestSignalStopsTheServer(t *testing.T) {
	t.Run("one loop, SIGTERM", func(t *testing.T) {
		testSignal(t, syscall.SIGTERM, nil, `msg="shutting down" open=1`)
	})
	t.Run("one loop, SIGINT", func(t *testing.T) {
		testSignal(t, syscall.SIGINT, nil, `msg="shutting down" open=1`)
	})
	t.Run("two loops, SIGTERM", func(t *testing.T) {
		testSignal(t, syscall.SIGTERM, []string{"-loops", "2"}, `msg="shutting down" loop=`)
	})
}

func testSignal(t *testing.T, sig syscall.Signal, flags []string, shuttingDown string) {
	testutil.CheckNoFDLeak(t)
	srv := testutil.StartServer(t, run, &readyHook, append([]string{"-addr", "127.0.0.1:0", "-grace", "200ms"}, flags...)...)
	c := srv.Dial(t)
	echoHi(t, c)
	if err := srv.Stop(t, sig); err != nil {
		t.Errorf("run after %v = %v, want nil (exit 0)", sig, err)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open after shutdown")
	}
	testutil.WantLines(t, srv.Stderr.String(), "msg=listening", "msg=connection", "msg=signal signal="+sig.String(), shuttingDown, "msg=closed", "msg=stopped")
}

// TestDumpSignal sends SIGUSR1 to a running server: the task dump goes to
// standard error, naming the server task and what it waits on, and the
// server goes on echoing.
func TestDumpSignal(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	srv := testutil.StartServer(t, run, &readyHook, "-addr", "127.0.0.1:0", "-grace", "200ms")
	c := srv.Dial(t)
	echoHi(t, c)
	srv.Signal(t, syscall.SIGUSR1)
	srv.AwaitStderr(t, "end of task dump", 1)
	echoHi(t, c) // the server went on
	if err := srv.Stop(t, syscall.SIGTERM); err != nil {
		t.Errorf("run = %v", err)
	}
	testutil.WantLines(t, srv.Stderr.String(), "task dump (user defined signal 1): 1 executors", "2 tasks",
		"(listener) readable", "(stream) readable", "echo/server.go:")
}

// echoHi sends two bytes and reads them back.
func echoHi(t *testing.T, c net.Conn) {
	t.Helper()
	c.Write([]byte("hi"))
	if _, err := io.ReadFull(c, make([]byte, 2)); err != nil {
		t.Errorf("echo: %v", err)
	}
}

// TestSelftestWithTheDetector runs the selftest (server, eight clients,
// shutdown through Notify) with the lost-waker detector on: a report would
// be a warning on stderr, which RunDemos refuses.
func TestSelftestWithTheDetector(t *testing.T) {
	t.Setenv("DETECT_LOST_WAKERS", "1")
	if !options(nil).DetectLostWakers {
		t.Fatal("DETECT_LOST_WAKERS=1 did not turn the detector on")
	}
	testutil.RunDemos(t, run, []testutil.DemoCase{
		{Args: []string{"selftest"}, Want: []string{"80 messages of 1000 bytes echoed and verified", "server stopped cleanly"}},
	})
}
