package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func checkNoLeak(t *testing.T) {
	t.Helper()
	testutil.CheckNoFDLeak(t)
}

func TestDemosPrintsOnlyTheNames(t *testing.T) {
	out, _, err := testutil.RunProgram(t, run, "demos")
	want := "tcp\ntimeout\nspurious\nlevel\nedge\noneshot\ndrain\nstill-block\n"
	if err != nil || out != want {
		t.Errorf("run(demos) = %q, %v; want %q, nil", out, err, want)
	}
}

func TestBadArgumentsAreOneClearError(t *testing.T) {
	testutil.RunErrors(t, run, []testutil.ErrorCase{
		{Args: []string{"nope"}, Want: `unknown demo "nope"; the demos are: tcp, timeout, spurious, level, edge, oneshot, drain, still-block`},
		{Args: []string{"tcp", "-rounds", "x"}, Want: `tcp: invalid value "x" for flag -rounds`},
		{Args: []string{"level", "extra"}, Want: `level: unexpected argument "extra"`},
		{Args: []string{"tcp", "-rounds", "0"}, Want: "-rounds 0: want 1 to 100000"},
		{Args: []string{"timeout", "-wait", "-1s"}, Want: "-wait -1s: want 0 to 10s"},
		{Args: []string{"still-block", "-delay", "1s"}, Want: "-delay 1s: want 0 to 500ms"},
	})
}

func TestEachDemoRuns(t *testing.T) {
	testutil.RunDemos(t, run, []testutil.DemoCase{
		{Args: nil, Want: []string{"demos (go run ./02-mio-like-poll <demo> [flags]):", "  still-block ", `running "tcp":`, "3 PING/PONG rounds in "}},
		{Args: []string{"tcp"}, Want: []string{"server: accepted a connection from 127.0.0.1\n", "server wrote \"PING\"\nclient received \"PING\"\nclient wrote \"PONG\"\nserver received \"PONG\"\n", "3 PING/PONG rounds in "}},
		{Args: []string{"tcp", "-rounds", "50"}, Want: []string{"50 PING/PONG rounds in "}},
		{Args: []string{"timeout", "-wait", "20ms"}, Want: []string{"Poll(events, 20ms) with nothing registered: 0 events after "}},
		{Args: []string{"spurious"}, Want: []string{"loop B: accept: would block (spurious", "loop B: read: would block (spurious", "4 events, 2 of them spurious"}},
		{Args: []string{"level"}, Want: []string{"  => events: 2, bytes read: 8, left unread: 0\nthen 4 more bytes arrive:", "  => events: 1, bytes read: 4, left unread: 0\n"}},
		{Args: []string{"edge"}, Want: []string{"  => events: 1, bytes read: 4, left unread: 4\nthen 4 more bytes arrive:", "  poll 2: no event"}},
		{Args: []string{"oneshot"}, Want: []string{"  => events: 1, bytes read: 4, left unread: 4\nthen Reregister re-arms it", "  => events: 1, bytes read: 4, left unread: 0\n"}},
		{Args: []string{"drain"}, Want: []string{"stranded: 5904\n", "bytes read: 10000 of 10000, stranded: 0\n"}},
		{Args: []string{"still-block", "-delay", "20ms"}, Want: []string{"println inside the loop (20ms per line)", "println on a worker goroutine", "  | hello from connection 2\n", "slowest "}},
		{Args: []string{"level", "-h"}, Want: []string{"level takes no flags"}},
		{Args: []string{"-h"}, Want: []string{"  still-block a slow println", "usage of tcp:\n  -rounds int"}},
	})
}

// TestLab is the lab table: the counts the chapter shows. It also grades
// exercise ex_rearm (the oneshot row's second phase).
func TestLab(t *testing.T) {
	for _, tt := range []struct {
		name          string
		mode          poll.Mode
		first, second labPhase
	}{
		{"level re-reports unread data", poll.Level,
			labPhase{events: 2, read: 8, left: 0}, labPhase{events: 1, read: 4, left: 0}},
		{"edge reports a burst once until new data arrives", poll.Edge,
			labPhase{events: 1, read: 4, left: 4}, labPhase{events: 1, read: 4, left: 4}},
		{"oneshot reports once until re-armed", poll.Oneshot,
			labPhase{events: 1, read: 4, left: 4}, labPhase{events: 1, read: 4, left: 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeak(t)
			var res labResult
			var err error
			testutil.Within(t, 20*time.Second, "the lab", func() {
				res, err = runLab(tt.mode, io.Discard, discard)
			})
			if err != nil {
				t.Fatalf("runLab(%v) = %v", tt.mode, err)
			}
			if diff := cmp.Diff(tt.first, res.first, cmp.AllowUnexported(labPhase{})); diff != "" {
				t.Errorf("%v, 8 bytes, 4 read per event (-want +got):\n%s", tt.mode, diff)
			}
			if diff := cmp.Diff(tt.second, res.second, cmp.AllowUnexported(labPhase{})); diff != "" {
				t.Errorf("%v, then %s (-want +got):\n%s", tt.mode, res.secondWhat, diff)
			}
		})
	}
}

func TestDrainDemoStrandsWithoutDraining(t *testing.T) {
	checkNoLeak(t)
	var out strings.Builder
	if err := drainDemo(&out, discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "edge, one read per event:                 events: 1, bytes read:  4096 of 10000, stranded: 5904\n") {
		t.Errorf("drain output:\n%s", out.String())
	}
}

// TestStillBlock asserts only what sleeping guarantees: inline, the third
// connection cannot be answered before three slow printlns have passed.
// That the worker version answers sooner is true by a wide margin, but it is
// a timing, so it is checked loosely.
func TestStillBlock(t *testing.T) {
	checkNoLeak(t)
	const delay = 100 * time.Millisecond
	term := slowTerminal{w: io.Discard, delay: delay}
	var inline, worker stillBlockResult
	var err1, err2 error
	testutil.Within(t, 20*time.Second, "still-block", func() {
		inline, err1 = runStillBlock(term, false, discard)
		worker, err2 = runStillBlock(term, true, discard)
	})
	if err1 != nil || err2 != nil {
		t.Fatalf("runStillBlock = %v, %v", err1, err2)
	}
	if inline.slowest() < stillBlockConns*delay {
		t.Errorf("inline: slowest answer after %v, want at least %v (%d printlns of %v)", inline.slowest(), stillBlockConns*delay, stillBlockConns, delay)
	}
	if worker.slowest() >= inline.slowest() {
		t.Errorf("worker: slowest answer after %v, inline %v: want the worker version faster", worker.slowest(), inline.slowest())
	}
}
