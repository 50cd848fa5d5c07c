package main

import (
	"bufio"
	"strings"
	"syscall"
	"testing"

	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("os/signal.signal_recv"))
}

func TestDemos(t *testing.T) {
	names := make([]string, len(demos))
	for i, d := range demos {
		names[i] = d.Name
	}
	if out, want := testutil.RunDemo(t, run, "demos"), strings.Join(names, "\n")+"\n"; out != want {
		t.Errorf("demos printed %q, want %q", out, want)
	}
	testutil.RunDemos(t, run, []testutil.DemoCase{
		{Args: []string{"selftest"}, Want: []string{
			"client 0 reads * you are guest-1;",
			"client 0 reads * guest-3 joined",
			"client 2 reads * guest-1 is now ada",
			"client 2 reads guest-2: hello, ada",
			"client 2 reads * online: ada, guest-2, guest-3",
			"client 1 reads * guest-3 left",
			"server stopped cleanly",
		}},
		{Args: []string{"cancel"}, Want: []string{
			`naive: Timeout(ReadFull) in a retry loop:    ["first frame"], then unexpected EOF`,
			`fix 1: keep the future, poll it again:       ["first frame" "second frame, sent in two pieces" "third frame"], then EOF`,
			`fix 2: keep the progress in the connection:  ["first frame" "second frame, sent in two pieces" "third frame"], then EOF`,
			`fix 3: close the connection on a timeout:    ["first frame"], then lab: read timed out mid-stream; connection closed`,
		}},
		{Args: []string{"deadlock"}, Want: []string{
			"send all, then receive:        10 values each way, inboxes of 2: lab: deadlock: both peers wait to send into a full inbox (after 500ms the inboxes hold [2 2])",
			"send while receiving (Select): 1000 values each way, inboxes of 2: each peer received [1000 1000]",
		}},
		{Args: []string{"-h"}, Want: []string{"  selftest  start the chat server", "usage of server:\n  -addr string"}},
	})
}

func TestUserErrors(t *testing.T) {
	testutil.RunErrors(t, run, []testutil.ErrorCase{
		{Args: []string{"-addr", testutil.BusyAddr(t)}, Want: "address already in use", Is: syscall.EADDRINUSE},
		{Args: []string{"-addr", "nonsense"}, Want: `bad address "nonsense"`},
		{Args: []string{"fly"}, Want: `unknown demo "fly"; the demos are: selftest, cancel, deadlock`},
		// With a bad address too, so that a missing check fails here at
		// once instead of serving on a port.
		{Args: []string{"-queue-lines", "0", "-addr", "nonsense"}, Want: "-queue-lines must be at least 1"},
		{Args: []string{"-queue-bytes", "100", "-addr", "nonsense"}, Want: "-queue-bytes must be at least 4097 (one line)"},
		{Args: []string{"-grace", "0", "-addr", "nonsense"}, Want: "-grace must be positive"},
		{Args: []string{"-nope"}, Want: "server: flag provided but not defined: -nope"},
		{Args: []string{"-addr", "127.0.0.1:0", "extra"}, Want: `server: unexpected argument "extra"`},
		{Args: []string{"selftest", "extra"}, Want: `selftest: unexpected argument "extra"`},
	})
}

// TestSignalStopsTheServer sends a real SIGINT or SIGTERM to this test
// process while run has its handler installed: every client is told, gets
// EOF, and run returns nil (exit 0).
func TestSignalStopsTheServer(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			testutil.WarmRuntime()
			testutil.CheckNoFDLeak(t)
			srv := testutil.StartServer(t, run, &readyHook, "-addr", "127.0.0.1:0", "-grace", "2s")
			r := bufio.NewReader(srv.Dial(t))
			r.ReadString('\n') // welcome: the client has joined
			if err := srv.Stop(t, sig); err != nil {
				t.Errorf("run after %v = %v, want nil (exit 0)", sig, err)
			}
			rest, err := r.ReadString('\n')
			if rest != "* server shutting down\n" {
				t.Errorf("after %v the client read %q (%v), want \"* server shutting down\\n\"", sig, rest, err)
			}
			if _, err := r.ReadByte(); err == nil {
				t.Error("connection still open after shutdown")
			}
			testutil.WantLines(t, srv.Stderr.String(), "msg=listening", "msg=connection", "msg=signal signal="+sig.String(), "msg=\"shutting down\" open=1", "msg=stopped")
		})
	}
}

// TestDumpSignal sends SIGUSR1 to a running chat server with one client:
// the task dump goes to standard error, and the server goes on.
func TestDumpSignal(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	srv := testutil.StartServer(t, run, &readyHook, "-addr", "127.0.0.1:0", "-grace", "2s")
	r := bufio.NewReader(srv.Dial(t))
	r.ReadString('\n') // welcome: the client has joined
	srv.Signal(t, syscall.SIGUSR1)
	srv.AwaitStderr(t, "end of task dump", 1)
	if err := srv.Stop(t, syscall.SIGTERM); err != nil {
		t.Errorf("run = %v", err)
	}
	if rest, _ := r.ReadString('\n'); rest != "* server shutting down\n" {
		t.Errorf("after the dump the client read %q, want the server's goodbye: the server did not go on", rest)
	}
	testutil.WantLines(t, srv.Stderr.String(), "task dump (user defined signal 1): 1 executors", "(stream) readable", "(listener) readable")
}

// TestSelftestWithTheDetector runs the chat selftest (hub, channels, one
// task per client, shutdown) with the lost-waker detector on: a report
// would be a warning on stderr, which RunDemos refuses.
func TestSelftestWithTheDetector(t *testing.T) {
	t.Setenv("DETECT_LOST_WAKERS", "1")
	if !options(nil).DetectLostWakers {
		t.Fatal("DETECT_LOST_WAKERS=1 did not turn the detector on")
	}
	testutil.RunDemos(t, run, []testutil.DemoCase{
		{Args: []string{"selftest"}, Want: []string{"client 2 reads guest-2: hello, ada", "server stopped cleanly"}},
	})
}
