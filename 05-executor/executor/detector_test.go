package executor

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"runtime"
	"runtime/trace"
	"strings"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
)

// lostWaker is the bug the detector exists for: a future that says "not
// now" and arranges for nobody to wake its task. Its poll looks at a flag
// that another goroutine sets, and stores no waker anywhere.
type lostWaker struct{ ready *bool }

func (f lostWaker) Poll(*future.Context) future.Poll[struct{}] {
	if *f.ready {
		return future.PollReady(struct{}{})
	}
	return future.Pending[struct{}]()
}

// detectingExecutor returns an executor with the detector on, logging warnings to log.
func detectingExecutor(t *testing.T, log io.Writer) *Executor {
	return newExecutor(t, Options{DetectLostWakers: true,
		Logger: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn}))})
}

func TestLostWakerDetectorFires(t *testing.T) {
	var log testutil.SyncBuffer
	ex := detectingExecutor(t, &log)
	ready := false
	_, _, line, _ := runtime.Caller(0)
	line += 2 // the Spawn below
	Spawn(ex, future.Future[struct{}](lostWaker{&ready})).Drop()
	blockOn(t, ex, async(func(co *future.Co) int {
		// Let the loop wait (the detector checks before it waits) while the
		// broken task is idle.
		await(co, ex.Sleep(20*time.Millisecond))
		return 0
	}))
	if got := ex.Stats().LostWakers; got != 1 {
		t.Errorf("Stats().LostWakers = %d, want 1 (the lostWaker task); log:\n%s", got, log.String())
	}
	want := regexp.MustCompile(`level=WARN msg="lost waker: [^"]*" task=1 spawned="executor/detector_test.go:` +
		fmt.Sprint(line) + ` \(executor.TestLostWakerDetectorFires\)" future=executor.lostWaker`)
	if !want.MatchString(log.String()) {
		t.Errorf("the warning does not name the task, its spawn site and its future's type; want %v, log:\n%s", want, log.String())
	}
}

// TestLostWakerDetectorQuiet runs every kind of future the course has with
// the detector on: each leaves its waker with someone who will call it, so
// the detector must stay silent. Each also makes the loop wait, so the
// detector does check (Stats().LostWakers would count a report).
func TestLostWakerDetectorQuiet(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	var log testutil.SyncBuffer
	ex := detectingExecutor(t, &log)
	var stop Notify
	got := blockOn(t, ex, async(func(co *future.Co) string {
		var done []string
		// TCP: accept, connect, write, read, EOF.
		c, s, l, err := pair(co, ex)
		if err != nil {
			return err.Error()
		}
		echo := Spawn(ex, async(func(co *future.Co) string {
			defer s.Close()
			buf := make([]byte, 16)
			r := await(co, s.ReadFull(buf[:4]))
			await(co, s.WriteAll(buf[:r.Value]))
			return string(buf[:r.Value])
		}))
		await(co, ex.Sleep(5*time.Millisecond)) // the echo task waits in Read meanwhile
		await(co, c.WriteAll([]byte("ping")))
		buf := make([]byte, 4)
		await(co, c.ReadFull(buf))
		done = append(done, "tcp:"+string(buf), "join:"+await(co, echo).Value)
		c.Close()
		l.Close()

		// Timers and Timeout.
		r := await(co, Timeout(ex, 5*time.Millisecond, ex.Sleep(time.Hour)))
		done = append(done, fmt.Sprint("timeout:", r.Err == ErrTimeout))

		// Notify, from another goroutine.
		go func() { time.Sleep(5 * time.Millisecond); stop.Notify() }()
		await(co, &stop)
		done = append(done, "notify")

		// Select and Join of stage 04.
		sel := await(co, future.Select(ex.Sleep(time.Millisecond), ex.Sleep(time.Hour)))
		j := await(co, future.Join(ex.Sleep(time.Millisecond), ex.Sleep(2*time.Millisecond)))
		_ = j
		done = append(done, fmt.Sprint("select:", sel.IsLeft), "join2")

		// The blocking pool.
		b := await(co, SpawnBlocking(ex, func() (int, error) { time.Sleep(5 * time.Millisecond); return 42, nil }))
		done = append(done, fmt.Sprint("blocking:", b.Value))
		return strings.Join(done, " ")
	}))
	if want := "tcp:ping join:ping timeout:true notify select:true join2 blocking:42"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if n := ex.Stats().LostWakers; n != 0 || strings.Contains(log.String(), "lost waker") {
		t.Errorf("the detector reported %d lost wakers for futures that store theirs; log:\n%s", n, log.String())
	}
	if checks := ex.detect.checks; checks < 7 {
		t.Errorf("the detector checked %d times, want at least one per kind of future (7): it did not look", checks)
	}
}

// TestLostWakerDetectorSkipsWokenTasks: a task that was woken after it went
// idle (by a goroutine that then dropped the waker) is no longer idle when
// the detector looks, and must not be reported even though its probe is
// gone; the same task still idle must be.
func TestLostWakerDetectorSkipsWokenTasks(t *testing.T) {
	var log testutil.SyncBuffer
	ex := detectingExecutor(t, &log)
	defer ex.Close()
	for _, tc := range []struct {
		state uint32
		want  uint64
	}{{stateScheduled, 0}, {stateDone, 0}, {stateIdle, 1}} {
		tk := &task{ex: ex}
		tk.state.Store(tc.state)
		before := ex.stats.LostWakers
		ex.detect.wentIdle(tk) // and no probe: as if it was collected
		ex.detect.checkIdle(ex)
		if got := ex.stats.LostWakers - before; got != tc.want {
			t.Errorf("a task in state %s with no probe: %d reports, want %d", stateNames[tc.state], got, tc.want)
		}
	}
}

// TestLostWakerDetectorKeepsTraceRegions: with the detector on, a poll is
// still an executor.poll region of the task's runtime/trace task.
func TestLostWakerDetectorKeepsTraceRegions(t *testing.T) {
	if trace.IsEnabled() {
		t.Skip("a trace is already running")
	}
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Skip(err)
	}
	ex := newExecutor(t, Options{DetectLostWakers: true})
	blockOn(t, ex, async(func(co *future.Co) int {
		return await(co, Spawn(ex, future.Ready(1))).Value
	}))
	trace.Stop()
	if !bytes.Contains(buf.Bytes(), []byte("executor.poll")) {
		t.Error("with the detector on, the trace has no executor.poll region")
	}
}
