package main

import (
	"bytes"
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
	testutil.Within(t, 20*time.Second, "run "+strings.Join(args, " "), func() {
		if err := run(args, &out, &errOut); err != nil {
			t.Errorf("run(%q) = %v; stderr:\n%s", args, err, errOut.String())
		}
	})
	return out.String()
}

func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q; got:\n%s", w, out)
		}
	}
}

func TestDemoSpawn(t *testing.T) {
	out := runDemo(t, "spawn")
	wantLines(t, out,
		"  A: step 0\n  B: step 0\n  C: step 0\n  A: step 1\n  C: step 1\n  C: step 2\n",
		"join 0: A finished\njoin 1: error: executor: task panicked: B gives up\njoin 2: C finished\n",
		"BlockOn returned 2: one task panicked, the loop went on",
	)
}

func TestDemoTimers(t *testing.T) {
	out := runDemo(t, "timers")
	wantLines(t, out,
		"Sleep(20ms) returned; at least 20ms later: true",
		"Timeout(30ms, Sleep(1h)): executor: timed out (the slow future was dropped)",
		"Timeout(1h, Sleep(1ms)): err=<nil>",
	)
}

func TestDemoFile(t *testing.T) {
	out := runDemo(t, "file")
	wantLines(t, out,
		`ReadFile(hello.txt): "hello from a worker goroutine\n", err=<nil>`,
		"ReadFile(missing.txt): not exist: true",
	)
}

func TestDemoTCP(t *testing.T) {
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	out := runDemo(t, "tcp")
	wantLines(t, out,
		"server: accepted a connection", "client: connected", "client: sent PING",
		"server: got PING", "server: sent PONG", "client: got PONG",
		"BlockOn returned: every descriptor closed",
	)
}

func TestNoArgumentsListsAndRunsTCP(t *testing.T) {
	out := runDemo(t)
	wantLines(t, out, "demos (go run ./05-executor <name>):", "  spawn ", `running "tcp":`, "client: got PONG")
}

func TestDemosListsNames(t *testing.T) {
	out := runDemo(t, "demos")
	if out != "spawn\ntimers\nfile\ntcp\n" {
		t.Errorf("demos printed %q", out)
	}
}

func TestUnknownDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run([]string{"nope"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `unknown demo "nope"`) {
		t.Errorf("run(nope) = %v, want an unknown-demo error", err)
	}
}
