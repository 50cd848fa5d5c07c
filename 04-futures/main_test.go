package main

import (
	"fmt"
	"strings"
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

func TestDemoFab(t *testing.T) {
	out := runDemo(t, "fab")
	testutil.WantLines(t, out,
		"for v := range fab(10): 0 1 1 2 3 5 8 13 21 34\n",
		"  next() -> Yielded(0)\n  next() -> Yielded(1)\n  next() -> Yielded(1)\n  next() -> Yielded(2)\n  next() -> Yielded(3)\n  next() -> Complete\n",
		"stopped after 3 values (last 1); next() now says ok=false",
	)
}

func TestDemoStateMachine(t *testing.T) {
	out := runDemo(t, "statemachine")
	testutil.WantLines(t, out,
		"poll 1\n  Start -> AwaitingX{fx, b}\n    (woken)\n  -> Pending\n",
		"poll 2\n  AwaitingX -> AwaitingY{x: 20, fy}\n    (woken)\n  -> Pending\n",
		"poll 3\n  AwaitingY -> Done\n  -> Ready(42)\n",
		"add = 42",
	)
}

func TestDemoAsync(t *testing.T) {
	out := runDemo(t, "async")
	testutil.WantLines(t, out,
		"poll 1\n  body: awaiting a.Next()\n    (woken)\n  -> Pending\n",
		"poll 2\n  body: x = 20, awaiting b.Next()\n    (woken)\n  -> Pending\n",
		"poll 3\n  body: y = 22, returning\n  -> Ready(42)\n",
		"add = 42",
	)
}

// The state machine and the coroutine are the same function: same polls,
// same wakes, same result.
func TestStateMachineAndAsyncAgree(t *testing.T) {
	polls := func(s string) int { return strings.Count(s, "\npoll ") + 1 }
	sm, as := runDemo(t, "statemachine"), runDemo(t, "async")
	if polls(sm) != polls(as) || strings.Count(sm, "(woken)") != strings.Count(as, "(woken)") {
		t.Errorf("statemachine: %d polls, %d wakes; async: %d polls, %d wakes; want the same",
			polls(sm), strings.Count(sm, "(woken)"), polls(as), strings.Count(as, "(woken)"))
	}
}

func TestDemoBlockOn(t *testing.T) {
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	out := runDemo(t, "blockon")
	testutil.WantLines(t, out,
		"poll 1: handing the read to a worker goroutine\n",
		"worker: read 42 bytes from hello.txt; waking the future\n",
		"the worker's result is here\n",
		"BlockOn returned 2 lines after ",
	)
}

func TestDemoList(t *testing.T) {
	out := runDemo(t, "demos")
	if want := "fab\nstatemachine\nasync\nblockon\n"; out != want {
		t.Errorf("run(demos) printed %q, want %q", out, want)
	}
	out = runDemo(t)
	testutil.WantLines(t, out, "demos (go run ./04-futures <demo>):\n  fab ", `running "async":`, "add = 42")
}

func TestBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `unknown demo "nope"; the demos are: fab, statemachine, async, blockon`},
		{[]string{"-x"}, `async: unexpected argument "-x" (this demo takes no flags)`},
		{[]string{"fab", "async"}, `fab: unexpected argument "async"`},
	} {
		_, _, err := testutil.RunProgram(t, run, tc.args...)
		testutil.WantOneLineError(t, fmt.Sprintf("run(%q)", tc.args), err, tc.want)
	}
	if out := runDemo(t, "-h"); !strings.HasPrefix(out, "demos (go run ./04-futures <demo>):\n  fab ") || strings.Contains(out, "running") {
		t.Errorf("run(-h) printed %q, want the listing only", out)
	}
}
