package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// runDemo runs the program with args under a watchdog and returns stdout.
func runDemo(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	testutil.Within(t, 30*time.Second, fmt.Sprintf("run(%q)", args), func() {
		if err := run(args, &out, &errOut); err != nil {
			t.Errorf("run(%q) = %v\nstderr:\n%s", args, err, errOut.String())
		}
	})
	return out.String()
}

func mustContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q; got:\n%s", want, out)
		}
	}
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
		mustContain(t, out, "demos:", "callback", "running \"spurious\"", "Set calls")
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
		mustContain(t, out, "wakeups coalesce")
	})
	t.Run("callback: a file read and a missing file reported", func(t *testing.T) {
		testutil.CheckNoFDLeak(t)
		out := runDemo(t, "callback")
		mustContain(t, out,
			`cat hello.txt: "Hello from the I/O worker!\n"`,
			"cat missing.txt: error: ",
			"no such file or directory",
		)
	})
	t.Run("poll: files and a socket served by one loop", func(t *testing.T) {
		testutil.CheckNoFDLeak(t)
		out := runDemo(t, "poll")
		mustContain(t, out,
			`cat hello.txt: "Hello from the I/O worker!\n"`,
			"cat missing.txt: error: ",
			`client: asked for "hello.txt" over loopback, got "Hello from the I/O worker!\n"`,
			"one loop, one goroutine:",
		)
	})
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"nope"}, {"spurious", "extra"}, {"-sets", "0", "spurious"}, {"-bogus"}} {
		var out, errOut bytes.Buffer
		if err := run(args, &out, &errOut); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
	var out, errOut bytes.Buffer
	if err := run([]string{"-h"}, &out, &errOut); err != nil || !strings.Contains(out.String(), "usage:") {
		t.Errorf("run([-h]) = %v, printed %q: want nil and the usage", err, out.String())
	}
	err := run([]string{"nope"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `unknown demo "nope"`) {
		t.Errorf("run([nope]) = %v, want an unknown demo error", err)
	}
}
