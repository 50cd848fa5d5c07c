package main

import (
	"fmt"
	"testing"

	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// runDemo runs the program with args under a watchdog and returns stdout.
func runDemo(t *testing.T, args ...string) string {
	t.Helper()
	return testutil.RunDemo(t, run, args...)
}

func TestDemoSpawn(t *testing.T) {
	out := runDemo(t, "spawn")
	testutil.WantLines(t, out,
		"  A: step 0\n  B: step 0\n  C: step 0\n  A: step 1\n  C: step 1\n  C: step 2\n",
		"join 0: A finished\njoin 1: error: executor: task panicked: B gives up\njoin 2: C finished\n",
		"BlockOn returned 2: one task panicked, the loop went on",
	)
}

func TestDemoTimers(t *testing.T) {
	out := runDemo(t, "timers")
	testutil.WantLines(t, out,
		"Sleep(20ms) returned; at least 20ms later: true",
		"Timeout(30ms, Sleep(1h)): executor: timed out (the slow future was dropped)",
		"Timeout(1h, Sleep(1ms)): err=<nil>",
	)
}

func TestDemoFile(t *testing.T) {
	out := runDemo(t, "file")
	testutil.WantLines(t, out,
		`ReadFile(hello.txt): "hello from a worker goroutine\n", err=<nil>`,
		"ReadFile(missing.txt): not exist: true",
	)
}

func TestDemoTCP(t *testing.T) {
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	out := runDemo(t, "tcp")
	testutil.WantLines(t, out,
		"server: accepted a connection", "client: connected", "client: sent PING",
		"server: got PING", "server: sent PONG", "client: got PONG",
		"BlockOn returned: every descriptor closed",
	)
}

func TestNoArgumentsListsAndRunsTCP(t *testing.T) {
	out := runDemo(t)
	testutil.WantLines(t, out, "demos (go run ./05-executor <demo>):", "  spawn ", `running "tcp":`, "client: got PONG")
}

func TestDemosListsNames(t *testing.T) {
	out := runDemo(t, "demos")
	if out != "spawn\ntimers\nfile\ntcp\n" {
		t.Errorf("demos printed %q", out)
	}
}

func TestBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `unknown demo "nope"; the demos are: spawn, timers, file, tcp`},
		{[]string{"-x"}, `tcp: unexpected argument "-x" (this demo takes no flags)`},
		{[]string{"spawn", "tcp"}, `spawn: unexpected argument "tcp"`},
	} {
		_, _, err := testutil.RunProgram(t, run, tc.args...)
		testutil.WantOneLineError(t, fmt.Sprintf("run(%q)", tc.args), err, tc.want)
	}
}
