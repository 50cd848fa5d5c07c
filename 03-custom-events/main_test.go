package main

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestDemos(t *testing.T) {
	t.Run("demos lists only the names", func(t *testing.T) {
		out := testutil.RunDemo(t, run, "demos")
		if out != "spurious\ncallback\npoll\n" {
			t.Errorf("run(demos) printed %q", out)
		}
	})
	t.Run("spurious: far fewer events than Sets", func(t *testing.T) {
		testutil.CheckNoFDLeak(t)
		out := testutil.RunDemo(t, run, "spurious")
		var sets, syscalls, events int
		for _, re := range []struct {
			expr string
			n    *int
		}{
			{`worker: (\d+) Set calls`, &sets},
			{`kernel: (\d+) wakeup syscalls`, &syscalls},
			{`loop: +(\d+) events`, &events},
		} {
			m := regexp.MustCompile(re.expr).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("output lacks %s; got:\n%s", re.expr, out)
			}
			fmt.Sscan(m[1], re.n)
		}
		// Every event needs a syscall (the loop clears the eventfd after
		// each), and every syscall but the last one gets its event.
		if sets != 10000 || events < 1 || events >= sets/2 || syscalls > events+1 || events > syscalls {
			t.Errorf("sets=%d syscalls=%d events=%d: want 10000 sets, at least one event, far fewer events than sets, one syscall per event (plus at most one)", sets, syscalls, events)
		}
		testutil.WantLines(t, out, "wakeups coalesce")
	})
	testutil.RunDemos(t, run, []testutil.DemoCase{
		{Args: nil, Want: []string{"demos (go run ./03-custom-events [-sets N] <demo>):\n  spurious  ", "  callback  ", "\nrunning \"spurious\":\n", "Set calls"}},
		{Args: []string{"-sets", "100", "spurious"}, Want: []string{"worker: 100 Set calls"}},
		{Args: []string{"callback"}, Want: []string{ // a file read and a missing file reported
			`cat hello.txt: "Hello from the I/O worker!\n"`,
			"cat missing.txt: error: ",
			"no such file or directory",
		}},
		{Args: []string{"poll"}, Want: []string{ // files and a socket served by one loop
			`cat hello.txt: "Hello from the I/O worker!\n"`,
			"cat missing.txt: error: ",
			`client: asked for "hello.txt" over loopback, got "Hello from the I/O worker!\n"`,
			"one loop, one goroutine:",
		}},
		{Args: []string{"-h"}, Want: []string{"  poll      the same file system", "usage of 03-custom-events:\n  -sets int"}},
	})
}

func TestBadArguments(t *testing.T) {
	testutil.RunErrors(t, run, []testutil.ErrorCase{
		{Args: []string{"nope"}, Want: `unknown demo "nope"; the demos are: spurious, callback, poll`},
		{Args: []string{"spurious", "extra"}, Want: `spurious: unexpected argument "extra"`},
		{Args: []string{"-sets", "0", "spurious"}, Want: "-sets 0: want at least 1"},
		{Args: []string{"-bogus"}, Want: "flag provided but not defined: -bogus"},
	})
}

// TestPollDemoWakesOncePerResultAtMost: the worker delivers seven results
// (open, read and close of hello.txt twice, once for the loop and once for
// the client; a failed open of missing.txt), each with one Set. A loop that
// clears the user event wakes at most once per result; one that forgets to
// Clear a Level registration spins, woken again on every Poll.
func TestPollDemoWakesOncePerResultAtMost(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	out := testutil.RunDemo(t, run, "poll")
	m := regexp.MustCompile(`one loop, one goroutine: (\d+) polls, (\d+) wakeups from the worker, (\d+) socket events`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output lacks the summary line; got:\n%s", out)
	}
	var wakeups int
	fmt.Sscan(m[2], &wakeups)
	const results = 7
	if wakeups < 1 || wakeups > results {
		t.Errorf("%d wakeups from the worker for %d results: want 1 to %d", wakeups, results, results)
	}
}
