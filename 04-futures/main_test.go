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
		{Args: []string{"fab"}, Want: []string{
			"for v := range fab(10): 0 1 1 2 3 5 8 13 21 34\n",
			"  next() -> Yielded(0)\n  next() -> Yielded(1)\n  next() -> Yielded(1)\n  next() -> Yielded(2)\n  next() -> Yielded(3)\n  next() -> Complete\n",
			"stopped after 3 values (last 1); next() now says ok=false",
		}},
		{Args: []string{"statemachine"}, Want: []string{
			"poll 1\n  Start -> AwaitingX{fx, b}\n    (woken)\n  -> Pending\n",
			"poll 2\n  AwaitingX -> AwaitingY{x: 20, fy}\n    (woken)\n  -> Pending\n",
			"poll 3\n  AwaitingY -> Done\n  -> Ready(42)\n",
			"add = 42",
		}},
		{Args: []string{"async"}, Want: []string{
			"poll 1\n  body: awaiting a.Next()\n    (woken)\n  -> Pending\n",
			"poll 2\n  body: x = 20, awaiting b.Next()\n    (woken)\n  -> Pending\n",
			"poll 3\n  body: y = 22, returning\n  -> Ready(42)\n",
			"add = 42",
		}},
		{Args: []string{"blockon"}, Want: []string{
			"poll 1: handing the read to a worker goroutine\n",
			"worker: read 42 bytes from hello.txt; waking the future\n",
			"the worker's result is here\n",
			"BlockOn returned 2 lines after ",
		}},
		{Args: nil, Want: []string{"demos (go run ./04-futures <demo>):\n  fab ", "\nrunning \"async\":\n", "add = 42"}},
	})
}

// The state machine and the coroutine are the same function: same polls,
// same wakes, same result.
func TestStateMachineAndAsyncAgree(t *testing.T) {
	polls := func(s string) int { return strings.Count(s, "\npoll ") + 1 }
	sm, as := testutil.RunDemo(t, run, "statemachine"), testutil.RunDemo(t, run, "async")
	if polls(sm) != polls(as) || strings.Count(sm, "(woken)") != strings.Count(as, "(woken)") {
		t.Errorf("statemachine: %d polls, %d wakes; async: %d polls, %d wakes; want the same",
			polls(sm), strings.Count(sm, "(woken)"), polls(as), strings.Count(as, "(woken)"))
	}
}

func TestDemosPrintsOnlyTheNames(t *testing.T) {
	if out, want := testutil.RunDemo(t, run, "demos"), "fab\nstatemachine\nasync\nblockon\n"; out != want {
		t.Errorf("run(demos) printed %q, want %q", out, want)
	}
}

func TestBadArguments(t *testing.T) {
	testutil.RunErrors(t, run, []testutil.ErrorCase{
		{Args: []string{"nope"}, Want: `unknown demo "nope"; the demos are: fab, statemachine, async, blockon`},
		{Args: []string{"-x"}, Want: `async: unexpected argument "-x" (this demo takes no flags)`},
		{Args: []string{"fab", "async"}, Want: `fab: unexpected argument "async"`},
	})
	if out := testutil.RunDemo(t, run, "-h"); !strings.HasPrefix(out, "demos (go run ./04-futures <demo>):\n  fab ") || strings.Contains(out, "running") {
		t.Errorf("run(-h) printed %q, want the listing only", out)
	}
}
