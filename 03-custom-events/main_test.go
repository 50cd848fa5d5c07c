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

// runDemo runs the program with args under a watchdog and returns stdout.
func runDemo(t *testing.T, args ...string) string {
	t.Helper()
	return testutil.RunDemo(t, run, args...)
}

func TestDemos(t *testing.T) {
	testutil.WarmRuntime()
	t.Run("demos lists only the names", func(t *testing.T) {
		out := runDemo(t, "demos")
		if out != "spurious\ncallback\npoll\n" {
			t.Errorf("run(demos) printed %q", out)
		}
	})
	t.Run("no argument lists the demos and runs spurious", func(t *testing.T) {
		out := runDemo(t)
		testutil.WantLines(t, out, "demos (go run ./03-custom-events [-sets N] <demo>):\n  spurious  ", "  callback  ", "\nrunning \"spurious\":\n", "Set calls")
	})
	t.Run("spurious: far fewer events than Sets", func(t *testing.T) {
		testutil.CheckNoFDLeak(t)
		out := runDemo(t, "spurious")
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
		if sets != 10000 || events < 1 || events >= sets/2 || syscalls > events+1 {
			t.Errorf("sets=%d syscalls=%d events=%d: want 10000 sets, at least one event, far fewer events than sets, at most one syscall per event", sets, syscalls, events)
		}
		testutil.WantLines(t, out, "wakeups coalesce")
	})
	t.Run("-sets before the name", func(t *testing.T) {
		testutil.WantLines(t, runDemo(t, "-sets", "100", "spurious"), "worker: 100 Set calls")
	})
	t.Run("callback: a file read and a missing file reported", func(t *testing.T) {
		testutil.CheckNoFDLeak(t)
		out := runDemo(t, "callback")
		testutil.WantLines(t, out,
			`cat hello.txt: "Hello from the I/O worker!\n"`,
			"cat missing.txt: error: ",
			"no such file or directory",
		)
	})
	t.Run("poll: files and a socket served by one loop", func(t *testing.T) {
		testutil.CheckNoFDLeak(t)
		out := runDemo(t, "poll")
		testutil.WantLines(t, out,
			`cat hello.txt: "Hello from the I/O worker!\n"`,
			"cat missing.txt: error: ",
			`client: asked for "hello.txt" over loopback, got "Hello from the I/O worker!\n"`,
			"one loop, one goroutine:",
		)
	})
}

func TestBadArguments(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `unknown demo "nope"; the demos are: spurious, callback, poll`},
		{[]string{"spurious", "extra"}, `spurious: unexpected argument "extra"`},
		{[]string{"-sets", "0", "spurious"}, "-sets 0: want at least 1"},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
	} {
		_, _, err := testutil.RunProgram(t, run, tt.args...)
		testutil.WantOneLineError(t, fmt.Sprintf("run(%q)", tt.args), err, tt.want)
	}
	out := runDemo(t, "-h")
	testutil.WantLines(t, out, "  poll      the same file system", "usage of 03-custom-events:\n  -sets int")
}
