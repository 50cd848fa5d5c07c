package main

import (
	"strings"
	"testing"

	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestEachDemoRuns(t *testing.T) {
	testutil.RunDemos(t, run, []testutil.DemoCase{
		{Args: []string{"spawn"}, MayLog: true, Want: []string{ // the panic is logged at warn
			"  A: step 0\n  B: step 0\n  C: step 0\n  A: step 1\n  C: step 1\n  C: step 2\n",
			"join 0: A finished\njoin 1: error: executor: task panicked: B gives up\njoin 2: C finished\n",
			"BlockOn returned 2: one task panicked, the loop went on",
		}},
		{Args: []string{"timers"}, Want: []string{
			"Sleep(20ms) returned; at least 20ms later: true",
			"Timeout(30ms, Sleep(1h)): executor: timed out (the slow future was dropped)",
			"Timeout(1h, Sleep(1ms)): err=<nil>",
		}},
		{Args: []string{"file"}, Want: []string{
			`ReadFile(hello.txt): "hello from a worker goroutine\n", err=<nil>`,
			"ReadFile(missing.txt): not exist: true",
		}},
		{Args: []string{"tcp"}, Want: []string{
			"server: accepted a connection", "client: connected", "client: sent PING",
			"server: got PING", "server: sent PONG", "client: got PONG",
			"BlockOn returned: every descriptor closed (",
		}},
		{Args: nil, Want: []string{"demos (go run ./05-executor <demo>):", "  spawn ", "\nrunning \"tcp\":\n", "client: got PONG"}},
	})
}

func TestDemosPrintsOnlyTheNames(t *testing.T) {
	if out, want := testutil.RunDemo(t, run, "demos"), "spawn\ntimers\nfile\ntcp\n"; out != want {
		t.Errorf("run(demos) printed %q, want %q", out, want)
	}
}

func TestBadArguments(t *testing.T) {
	testutil.RunErrors(t, run, []testutil.ErrorCase{
		{Args: []string{"nope"}, Want: `unknown demo "nope"; the demos are: spawn, timers, file, tcp`},
		{Args: []string{"-x"}, Want: `tcp: unexpected argument "-x" (this demo takes no flags)`},
		{Args: []string{"spawn", "tcp"}, Want: `spawn: unexpected argument "tcp"`},
	})
}

// TestDemosWithTheDetector runs every demo with DETECT_LOST_WAKERS=1: each
// still prints what it should, and the detector reports nothing (a report
// is a warning on stderr, which only the spawn demo's panic may write).
func TestDemosWithTheDetector(t *testing.T) {
	t.Setenv("DETECT_LOST_WAKERS", "1")
	if !options(nil).DetectLostWakers {
		t.Fatal("DETECT_LOST_WAKERS=1 did not turn the detector on")
	}
	testutil.RunDemos(t, run, []testutil.DemoCase{
		{Args: []string{"timers"}, Want: []string{"Timeout(1h, Sleep(1ms)): err=<nil>"}},
		{Args: []string{"file"}, Want: []string{"ReadFile(missing.txt): not exist: true"}},
		{Args: []string{"tcp"}, Want: []string{"client: got PONG"}},
	})
	out, errOut, err := testutil.RunProgram(t, run, "spawn")
	if err != nil || !strings.Contains(out, "join 2: C finished") || strings.Contains(errOut, "lost waker") {
		t.Errorf("spawn with the detector: err %v, stdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
}
