package benchserver

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/async-from-scratch/course/internal/testutil"
)

// Child is a server in another process.
type Child struct {
	Addr  string // the server's address, as the child printed it
	child *testutil.Child
}

// Start re-executes the test binary with envVar=kind (and env, extra
// "NAME=value" entries) and waits for the child to print its server's
// address. The child stops when tb's test ends; tb fails if it does not stop
// cleanly within testutil.ChildStopTimeout.
func Start(tb testing.TB, envVar, kind string, env ...string) *Child {
	tb.Helper()
	c := testutil.StartChild(tb, "server "+kind, append([]string{envVar + "=" + kind}, env...)...)
	return &Child{Addr: c.Line, child: c}
}

// Pid is the child's process id (for perf -p).
func (c *Child) Pid() int { return c.child.Pid }

// RSS asks the child to collect garbage and return freed memory to the OS,
// then reads its resident set size. heap is the child's live heap
// (runtime.MemStats.HeapAlloc) at that moment. Without /proc it skips tb.
func (c *Child) RSS(tb testing.TB) (rss, heap int64) {
	tb.Helper()
	answer, err := c.child.Ask("gc")
	if err != nil {
		tb.Fatal(err)
	}
	if heap, err = strconv.ParseInt(answer, 10, 64); err != nil {
		tb.Fatalf("server's heap: %v", err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.Pid()))
	if err != nil {
		tb.Skipf("no /proc here: %v", err)
	}
	kb, ok := procField(string(status), "VmRSS:")
	if !ok {
		tb.Fatal("no VmRSS in /proc/PID/status")
	}
	return kb << 10, heap
}
