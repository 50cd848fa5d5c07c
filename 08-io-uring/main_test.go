//go:build linux

package main

import (
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	testutil.RunErrors(t, run, []testutil.ErrorCase{
		{Args: []string{"-addr", ln.Addr().String()}, Want: "address already in use", Is: syscall.EADDRINUSE},
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
	addrc := make(chan string, 1)
	var out, errOut testutil.SyncBuffer
	errc := make(chan error, 1)
	go func() {
		sigs := make(chan os.Signal, 1)
		// run's own signal.Notify is what a user gets; the test also needs
		// the address, so it goes through serve with the same channel.
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
		defer signal.Stop(sigs)
		errc <- serve([]string{"-addr", "127.0.0.1:0", "-grace", "200ms"}, &out, &errOut, sigs, func(a string) { addrc <- a })
	}()
	testutil.Within(t, 30*time.Second, "signal shutdown", func() {
		var addr string
		select {
		case addr = <-addrc:
		case err := <-errc:
			t.Errorf("run returned early: %v", err)
			return
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write([]byte("hi"))
		io.ReadFull(c, make([]byte, 2))
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			t.Error(err)
		}
		if err := <-errc; err != nil {
			t.Errorf("run after %v = %v, want nil (exit 0)", sig, err)
		}
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Error("connection still open after shutdown")
		}
	})
	log := errOut.String()
	for _, want := range []string{"msg=listening", "msg=connection", "msg=signal signal=" + sig.String(), `msg="shutting down" open=1`, "msg=closed", "msg=stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestDumpSignal sends SIGUSR1 to a running server with one connection: the
// loop's task dump goes to standard error, naming the connection's recv and
// the loop's totals, and the server goes on echoing.
func TestDumpSignal(t *testing.T) {
	ringtest.Require(t, uring.Available())
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	addrc := make(chan string, 1)
	readyHook = func(a string) { addrc <- a }
	defer func() { readyHook = nil }()
	var out, errOut testutil.SyncBuffer
	errc := make(chan error, 1)
	go func() { errc <- run([]string{"-addr", "127.0.0.1:0", "-grace", "200ms"}, &out, &errOut) }()
	testutil.Within(t, 30*time.Second, "dump, then echo", func() {
		var addr string
		select {
		case addr = <-addrc:
		case err := <-errc:
			t.Errorf("run returned early: %v", err)
			return
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		echo := func() {
			c.Write([]byte("hi"))
			if _, err := io.ReadFull(c, make([]byte, 2)); err != nil {
				t.Errorf("echo: %v", err)
			}
		}
		echo()
		// Right after an echo the connection's task may still be
		// scheduled (its send's CQE just woke it); dump until it is idle.
		for dumps := 1; !strings.Contains(errOut.String(), "recv fd "); dumps++ {
			if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
				t.Error(err)
				return
			}
			for deadline := time.Now().Add(10 * time.Second); strings.Count(errOut.String(), "end of task dump") < dumps; {
				if time.Now().After(deadline) {
					t.Errorf("no task dump on stderr within 10s of SIGUSR1 number %d", dumps)
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		echo() // the server went on
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		if err := <-errc; err != nil {
			t.Errorf("run = %v", err)
		}
	})
	log := errOut.String()
	t.Log("\n" + log)
	for _, want := range []string{"--- task dump (user defined signal 1): 1 loop ---", "loop: 2 tasks, ",
		" io_uring_enter calls, ", "  task  state", "recv fd ", "echo/server_linux.go:"} {
		if !strings.Contains(log, want) {
			t.Errorf("the dump lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, `signal="user defined signal 1"`) || !strings.Contains(log, "msg=signal signal=terminated") {
		t.Errorf("SIGUSR1 must only dump, and SIGTERM then stop the server; the log says otherwise:\n%s", log)
	}
}
