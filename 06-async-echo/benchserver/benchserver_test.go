package benchserver_test

import (
	"net"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/async-from-scratch/course/06-async-echo/benchserver"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
)

const childEnv = "BENCHSERVER_TEST_CHILD"

func TestMain(m *testing.M) {
	if kind := os.Getenv(childEnv); kind != "" {
		os.Exit(benchserver.Serve(kind, benchserver.StartKind))
	}
	goleak.VerifyTestMain(m)
}

func netDial(addr string) (loadgen.Conn, error) { return net.DialTimeout("tcp", addr, 10*time.Second) }

// TestStartKindEchoes: every stage 06 server kind starts, echoes verified
// messages, and stops cleanly.
func TestStartKindEchoes(t *testing.T) {
	benchserver.CheckKinds(t, benchserver.StartKind, netDial, []string{"net", "net1", "callbackloop", "callbackloop-sr", "machine", "machine-2", "coroutine"})
}

// TestHoldIdle: a server holding 200 idle connections has more heap than
// before (each connection is a task with its buffer).
func TestHoldIdle(t *testing.T) {
	c := benchserver.Start(t, childEnv, "machine")
	m := c.HoldIdle(t, netDial, 200)
	if m.HeapAfter <= m.HeapBefore || m.RSSBefore <= 0 || m.RSSAfter <= 0 {
		t.Errorf("HoldIdle(200) = %+v, want positive RSS and a heap that grew", m)
	}
}

func TestStartKindUnknown(t *testing.T) {
	if _, _, _, err := benchserver.StartKind("nope"); err == nil {
		t.Fatal("StartKind(\"nope\") started something, want an error naming the kind")
	}
}

// TestChildProtocol runs a server in a child process: it prints its address,
// serves, answers "gc" with its heap (RSS and heap both positive), its /proc
// counters grow with the messages it echoes, and it stops when the test ends.
func TestChildProtocol(t *testing.T) {
	c := benchserver.Start(t, childEnv, "machine")
	if c.Pid() <= 0 || c.Pid() == os.Getpid() {
		t.Fatalf("child pid %d: not another process", c.Pid())
	}
	rss, heap := c.RSS(t)
	if rss <= 0 || heap <= 0 {
		t.Errorf("RSS = %d, heap = %d; want both > 0", rss, heap)
	}
	pool, err := loadgen.Dial(netDial, c.Addr, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	before := c.Counters()
	if _, err := pool.Round(64, 200, 1); err != nil {
		t.Fatal(err)
	}
	used := c.Counters().Sub(before)
	// 800 messages: the server read each at least once (read(2)-family
	// calls are counted in /proc/PID/io's syscr).
	if used.ReadCalls < 800 || used.WriteCalls < 800 {
		t.Errorf("the child's counters grew by %+v over 800 echoed messages, want >= 800 reads and writes", used)
	}
	if used.CtxSwitches <= 0 {
		t.Errorf("the child's context switches grew by %d, want > 0", used.CtxSwitches)
	}
	var sum benchserver.Counters
	sum.Add(used)
	sum.Add(used)
	if sum.Sub(used) != used {
		t.Errorf("Add/Sub: (used+used)-used = %+v, want %+v", sum.Sub(used), used)
	}
}
