package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if kind := os.Getenv(childEnv); kind != "" {
		os.Exit(benchChild(kind))
	}
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("os/signal.signal_recv"))
}

func TestDemos(t *testing.T) {
	out := testutil.RunDemo(t, run, "demos")
	if want := "selftest\nload\n"; out != want {
		t.Errorf("demos printed %q, want %q", out, want)
	}
	out = testutil.RunDemo(t, run, "-h")
	testutil.WantLines(t, out, "  selftest  start the server", "usage of server:\n  -addr string")
}

func TestSelftest(t *testing.T) {
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	out := testutil.RunDemo(t, run, "selftest")
	testutil.WantLines(t, out, "server listening", "80 messages of 1000 bytes echoed and verified", "server stopped cleanly")
}

func TestLoad(t *testing.T) {
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	out := testutil.RunDemo(t, run, "load", "-conns", "4", "-duration", "100ms")
	testutil.WantLines(t, out, "4 connections, 64-byte messages", "messages/s, round trip p50")
}

func TestUserErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-addr", ln.Addr().String()}, "address already in use"},
		{[]string{"-addr", "nonsense"}, `bad address "nonsense"`},
		{[]string{"fly"}, `unknown demo "fly"`},
		{[]string{"-mode", "file"}, "-mode file needs -root DIR"},
		{[]string{"-mode", "file", "-root", "/does/not/exist"}, "no such file or directory"},
		{[]string{"-nope"}, "server: flag provided but not defined: -nope"},
		{[]string{"-addr", "127.0.0.1:0", "extra"}, `server: unexpected argument "extra"`},
		{[]string{"selftest", "extra"}, `selftest: unexpected argument "extra"`},
		{[]string{"load", "-conns", "0"}, "-conns and -size must be at least 1"},
		{[]string{"load", "-bogus"}, "load: flag provided but not defined: -bogus"},
	} {
		_, _, err := testutil.RunProgram(t, run, tt.args...)
		testutil.WantOneLineError(t, fmt.Sprintf("run(%q)", tt.args), err, tt.want)
		if errors.Is(err, syscall.EADDRINUSE) != (tt.want == "address already in use") {
			t.Errorf("run(%q) = %v: errors.Is(err, EADDRINUSE) is wrong", tt.args, err)
		}
	}
}

// TestSignalStopsTheServer sends a real SIGTERM to this test process while
// run has its handler installed (run calls signal.Notify and, on return,
// signal.Stop, so the signal never reaches Go's default handler).
func TestSignalStopsTheServer(t *testing.T) {
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	addrc := make(chan string, 1)
	readyHook = func(a string) { addrc <- a }
	defer func() { readyHook = nil }()
	var out, errOut syncBuffer
	errc := make(chan error, 1)
	go func() { errc <- run([]string{"-addr", "127.0.0.1:0", "-grace", "200ms"}, &out, &errOut) }()
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
		if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
			t.Error(err)
		}
		if err := <-errc; err != nil {
			t.Errorf("run after SIGTERM = %v, want nil (exit 0)", err)
		}
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Error("connection still open after shutdown")
		}
	})
	log := errOut.String()
	for _, want := range []string{"msg=listening", "msg=connection", "msg=signal signal=terminated", `msg="shutting down" open=1`, "msg=closed", "msg=stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}
