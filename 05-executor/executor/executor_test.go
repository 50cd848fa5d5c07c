package executor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestSpawnAndJoin(t *testing.T) {
	ex := newExecutor(t, Options{})
	got := blockOn(t, ex, async(func(co *future.Co) int {
		h1 := Spawn(ex, future.Ready(20))
		h2 := Spawn(ex, async(func(co *future.Co) int { return 22 }))
		return await(co, h1).Value + await(co, h2).Value
	}))
	if got != 42 {
		t.Errorf("BlockOn(...) = %d, want 42", got)
	}
}

func TestSpawnBeforeBlockOn(t *testing.T) {
	ex := newExecutor(t, Options{})
	var order []string
	Spawn(ex, future.PollFn(func(*future.Context) future.Poll[int] { order = append(order, "a"); return future.PollReady(1) }))
	h := Spawn(ex, future.PollFn(func(*future.Context) future.Poll[int] { order = append(order, "b"); return future.PollReady(2) }))
	blockOn(t, ex, h)
	if diff := cmp.Diff([]string{"a", "b"}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// A task woken many times while it runs is polled once more, and a wake for a
// finished task is ignored.
func TestWakeCoalescing(t *testing.T) {
	ex := newExecutor(t, Options{})
	var stored future.Waker
	f := &pendingOnce{onFirst: func(cx *future.Context) {
		stored = cx.Waker()
		for range 5 {
			cx.Waker().Wake() // while running: one more poll, not five
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); cx.Waker().Wake() }() // from other goroutines too
		}
		wg.Wait()
	}}
	h := Spawn(ex, f)
	polls := blockOn(t, ex, h).Value
	if polls != 2 {
		t.Errorf("future polled %d times, want 2", polls)
	}
	stored.Wake() // the task is done and the executor closed: nothing happens
	stored.Wake()
	if got := f.polls.Load(); got != 2 {
		t.Errorf("after waking a finished task: %d polls, want 2", got)
	}
}

// A task woken many times while it waits in the queue (not while it runs)
// is still polled once: the wakes find it scheduled and do nothing. An
// executor that queued the task once per wake would poll it nine times.
func TestWakesWhileQueuedArePolledOnce(t *testing.T) {
	ex := newExecutor(t, Options{})
	var polls atomic.Int32
	var stored future.Waker
	var release atomic.Bool
	sleeper := Spawn(ex, future.PollFn(func(cx *future.Context) future.Poll[int32] {
		n := polls.Add(1)
		stored = cx.Waker()
		if release.Load() {
			return future.PollReady(n)
		}
		return future.Pending[int32]()
	}))
	got := blockOn(t, ex, async(func(co *future.Co) int32 {
		await(co, YieldNow()) // the sleeper polls once and goes idle
		if n := polls.Load(); n != 1 {
			t.Errorf("before the wakes: %d polls, want 1", n)
		}
		for range 5 {
			stored.Wake() // from the loop, while the sleeper is idle, then queued
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); stored.Wake() }() // and from other goroutines
		}
		wg.Wait()
		await(co, YieldNow()) // let every queued copy (if any) run
		await(co, YieldNow())
		if n := polls.Load(); n != 2 {
			t.Errorf("after 9 wakes while queued: %d polls, want 2", n)
		}
		release.Store(true)
		stored.Wake()
		return await(co, sleeper).Value
	}))
	if got != 3 {
		t.Errorf("sleeper finished on poll %d, want 3", got)
	}
}

func TestWakeFinishedTaskIsIgnored(t *testing.T) {
	ex := newExecutor(t, Options{})
	var stored future.Waker
	var polls atomic.Int32
	blockOn(t, ex, async(func(co *future.Co) int {
		h := Spawn(ex, future.PollFn(func(cx *future.Context) future.Poll[int] {
			polls.Add(1)
			stored = cx.Waker()
			return future.PollReady(1)
		}))
		await(co, h)
		stored.Wake() // finished task, running executor
		await(co, YieldNow())
		await(co, YieldNow())
		return 0
	}))
	if got := polls.Load(); got != 1 {
		t.Errorf("finished task polled %d times, want 1", got)
	}
}

// Lost wakeups: another goroutine makes a task ready and wakes it at
// arbitrary moments, including the instant between the loop's last look at
// its queues and epoll_wait. A lost wake would hang here (the watchdog
// fails the test). Run with -race, which also shifts the timing around.
func TestLostWakeup(t *testing.T) {
	ex := newExecutor(t, Options{})
	const rounds = 2000
	var ready atomic.Int64 // rounds made ready by the helper goroutine
	var waker atomic.Pointer[future.Waker]
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(1); i <= rounds; i++ {
			for waker.Load() == nil { // wait until the task asked for round i
				select {
				case <-stop:
					return
				default:
					runtime.Gosched()
				}
			}
			w := *waker.Swap(nil)
			ready.Store(i)
			w.Wake()
		}
	}()
	seen := int64(0)
	got := blockOn(t, ex, future.PollFn(func(cx *future.Context) future.Poll[int64] {
		for {
			if r := ready.Load(); r > seen {
				seen = r
				if seen == rounds {
					return future.PollReady(seen)
				}
				continue
			}
			// Register first, then check again (the stage 04 rule): a
			// Wake in between finds the waker.
			w := cx.Waker()
			waker.Store(&w)
			if ready.Load() > seen {
				continue
			}
			return future.Pending[int64]()
		}
	}))
	close(stop)
	wg.Wait()
	if got != rounds {
		t.Errorf("rounds = %d, want %d", got, rounds)
	}
	if s := ex.Stats(); s.Wakeups == 0 {
		t.Logf("note: the loop never slept (no user-event wakeups)")
	}
}

// Re-entrancy: a task spawns another inside its first poll. Spawn only
// enqueues, so the child runs after the parent's poll returned, and nothing
// deadlocks on a held lock.
func TestSpawnInsideFirstPoll(t *testing.T) {
	ex := newExecutor(t, Options{})
	var order []string
	var got string
	body := async(func(co *future.Co) string {
		order = append(order, "parent: before Spawn")
		h := Spawn(ex, async(func(co *future.Co) string {
			order = append(order, "child runs")
			g := Spawn(ex, future.Ready("grandchild")) // and the child spawns too
			return await(co, g).Value
		}))
		order = append(order, "parent: after Spawn")
		return await(co, h).Value
	})
	testutil.Within(t, 10*time.Second, "a parent awaiting the task it spawned (the spawned task never ran: Spawn must put it in the run queue)", func() {
		var err error
		if got, err = BlockOn(ex, body); err != nil {
			t.Errorf("BlockOn: %v", err)
		}
	})
	want := []string{"parent: before Spawn", "parent: after Spawn", "child runs"}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("order (-want +got): Spawn inside a task must only enqueue; the new task runs after the parent's poll returns, not inside it\n%s", diff)
	}
	if got != "grandchild" {
		t.Errorf("result = %q, want grandchild", got)
	}
}

// One bad task does not end the loop: its panic goes to its handle.
func TestPanicGoesToHandle(t *testing.T) {
	boom := errors.New("boom")
	ex := newExecutor(t, Options{})
	var others atomic.Int32
	got := blockOn(t, ex, async(func(co *future.Co) error {
		var hs []*JoinHandle[int]
		for i := range 3 {
			hs = append(hs, Spawn(ex, async(func(co *future.Co) int {
				await(co, YieldNow())
				others.Add(1)
				return i
			})))
		}
		bad := Spawn(ex, async(func(co *future.Co) int {
			await(co, YieldNow())
			panic(boom)
		}))
		bad2 := Spawn(ex, future.PollFn(func(*future.Context) future.Poll[int] { panic("plain future") }))
		for _, h := range hs {
			await(co, h)
		}
		if r := await(co, bad2); r.Err == nil {
			return errors.New("bad2: no error")
		}
		return await(co, bad).Err
	}))
	var pe *PanicError
	if !errors.As(got, &pe) {
		t.Fatalf("bad task's handle: err = %v, want a *PanicError", got)
	}
	if !errors.Is(got, boom) || len(pe.Stack) == 0 {
		t.Errorf("*PanicError: errors.Is(err, boom) = %v, %d bytes of stack; want true and a stack", errors.Is(got, boom), len(pe.Stack))
	}
	if others.Load() != 3 {
		t.Errorf("%d of 3 other tasks finished", others.Load())
	}
	if s := ex.Stats(); s.Panics != 2 {
		t.Errorf("Stats().Panics = %d, want 2", s.Panics)
	}
}

func TestRootPanicIsAnError(t *testing.T) {
	ex := newExecutor(t, Options{})
	_, err := watchBlockOn(t, 20*time.Second, ex, future.PollFn(func(*future.Context) future.Poll[int] { panic("root") }))
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "root" {
		t.Errorf("BlockOn = %v, want *PanicError(root)", err)
	}
}

func TestBlockOnDropsUnfinishedTasks(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	f := &forever{}
	var deferred atomic.Bool
	blockOn(t, ex, async(func(co *future.Co) int {
		Spawn(ex, f)
		Spawn(ex, async(func(co *future.Co) int {
			defer deferred.Store(true) // runs when the coroutine is dropped
			return await(co, f)
		}))
		await(co, YieldNow()) // spawned tasks come after this one in the queue:
		await(co, YieldNow()) // yield twice so that both ran once
		return 0
	}))
	if !f.dropped {
		t.Error("the unfinished future was not dropped")
	}
	if !deferred.Load() {
		t.Error("the unfinished coroutine's deferred call did not run")
	}
	if err := ex.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
	if h := Spawn(ex, future.Ready(1)); !h.done || !errors.Is(h.res.Err, ErrClosed) {
		t.Errorf("Spawn on a closed executor: done=%v err=%v, want ErrClosed", h.done, h.res.Err)
	}
}

func TestAbort(t *testing.T) {
	ex := newExecutor(t, Options{})
	f := &forever{}
	err := blockOn(t, ex, async(func(co *future.Co) error {
		h := Spawn(ex, f)
		await(co, YieldNow())
		h.Abort()
		return await(co, h).Err
	}))
	if !errors.Is(err, ErrAborted) || !f.dropped {
		t.Errorf("aborted handle: err=%v dropped=%v, want ErrAborted, true", err, f.dropped)
	}
}

// Fairness between tasks: a task that keeps waking itself does not stop
// others from running.
func TestSelfWakingTaskDoesNotStarveOthers(t *testing.T) {
	ex := newExecutor(t, Options{})
	var spins atomic.Int64
	got := blockOn(t, ex, async(func(co *future.Co) int64 {
		Spawn(ex, future.PollFn(func(cx *future.Context) future.Poll[int] {
			spins.Add(1)
			cx.Waker().Wake()
			return future.Pending[int]()
		}))
		await(co, ex.Sleep(5*time.Millisecond)) // needs timers and I/O polls to keep happening
		return spins.Load()
	}))
	if got == 0 {
		t.Error("the spinning task never ran")
	}
}

func TestTimersFireInOrderAndNotEarly(t *testing.T) {
	ex := newExecutor(t, Options{})
	delays := []time.Duration{30, 10, 50, 20, 0, 40, 10}
	type fired struct {
		d       time.Duration
		elapsed time.Duration
	}
	var got []fired
	start := time.Now()
	blockOn(t, ex, async(func(co *future.Co) int {
		var hs []*JoinHandle[int]
		for _, d := range delays {
			d *= time.Millisecond
			hs = append(hs, Spawn(ex, async(func(co *future.Co) int {
				await(co, ex.Sleep(d))
				got = append(got, fired{d, time.Since(start)})
				return 0
			})))
		}
		for _, h := range hs {
			await(co, h)
		}
		return 0
	}))
	if len(got) != len(delays) {
		t.Fatalf("%d timers fired, want %d", len(got), len(delays))
	}
	for i, f := range got {
		if f.elapsed < f.d {
			t.Errorf("timer of %v fired early, after %v", f.d, f.elapsed)
		}
		if i > 0 && f.d < got[i-1].d {
			t.Errorf("timer of %v fired after the one of %v", f.d, got[i-1].d)
		}
	}
}

// No busy loop: a loop with nothing to do but wait for a 100 ms timer
// sleeps in Poll until the deadline, so it turns a handful of times, not
// thousands (a pollTimeout that always returns 0 spins through ~300,000).
func TestSleepDoesNotBusyLoop(t *testing.T) {
	ex := newExecutor(t, Options{})
	blockOn(t, ex, async(func(co *future.Co) int {
		await(co, ex.Sleep(100*time.Millisecond))
		return 0
	}))
	if s := ex.Stats(); s.Turns > 10 || s.Polls > 5 {
		t.Errorf("a 100ms Sleep took %d loop turns and %d task polls, want at most 10 and 5 (no busy loop)", s.Turns, s.Polls)
	}
}

func TestTimerResetLaterAndStop(t *testing.T) {
	ex := newExecutor(t, Options{})
	start := time.Now()
	blockOn(t, ex, async(func(co *future.Co) int {
		tm := ex.NewTimer(5 * time.Millisecond)
		stopped := ex.NewTimer(time.Millisecond)
		stopped.Stop()
		tm.Reset(30 * time.Millisecond) // later: lazily moved
		await(co, tm)
		tm.Reset(time.Millisecond) // a fired timer is reusable
		await(co, tm)
		return 0
	}))
	if e := time.Since(start); e < 31*time.Millisecond {
		t.Errorf("Reset to 30ms then 1ms finished after %v, want >= 31ms", e)
	}
	if len(ex.timers) != 0 {
		t.Errorf("%d timers left in the heap", len(ex.timers))
	}
}

func TestTimeout(t *testing.T) {
	ex := newExecutor(t, Options{})
	f := &forever{}
	r := blockOn(t, ex, async(func(co *future.Co) string {
		slow := await(co, Timeout(ex, 10*time.Millisecond, future.Future[int](f)))
		fast := await(co, Timeout(ex, time.Hour, future.Ready(7)))
		return fmt.Sprint(slow.Err, " ", fast.Value, " ", fast.Err)
	}))
	if r != "executor: timed out 7 <nil>" {
		t.Errorf("got %q", r)
	}
	if !f.dropped {
		t.Error("the timed-out future was not dropped")
	}
}

func TestSpawnBlockingAndReadFile(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{Workers: 2})
	got := blockOn(t, ex, async(func(co *future.Co) string {
		data := await(co, ex.ReadFile("doc.go"))
		missing := await(co, ex.ReadFile("no-such-file"))
		var hs []future.Future[Result[int]]
		for i := range 5 {
			hs = append(hs, SpawnBlocking(ex, func() (int, error) { time.Sleep(time.Millisecond); return i, nil }))
		}
		sum := 0
		for _, h := range hs {
			sum += await(co, h).Value
		}
		p := await(co, SpawnBlocking(ex, func() (int, error) { panic("in a worker") }))
		var pe *PanicError
		return fmt.Sprint(len(data.Value) > 0, data.Err, errors.Is(missing.Err, errNotExist), sum, errors.As(p.Err, &pe))
	}))
	if got != "true <nil> true 10 true" {
		t.Errorf("got %q", got)
	}
}

// Dropping a blocking future that has not started cancels it; one that is
// running finishes but its result is discarded; BlockOn waits for it.
func TestSpawnBlockingDrop(t *testing.T) {
	ex := newExecutor(t, Options{Workers: 1})
	release := make(chan struct{})
	var ran atomic.Int32
	blockOn(t, ex, async(func(co *future.Co) int {
		running := SpawnBlocking(ex, func() (int, error) { <-release; ran.Add(1); return 1, nil })
		queued := SpawnBlocking(ex, func() (int, error) { ran.Add(1); return 2, nil })
		r := await(co, Timeout(ex, 5*time.Millisecond, running)) // submitted, then dropped
		q := await(co, Timeout(ex, 5*time.Millisecond, queued))  // queued behind it, then dropped
		close(release)
		// The one worker takes jobs in order: once this one is done, the
		// worker has been past the queued one (and skipped it, or ran it).
		await(co, SpawnBlocking(ex, func() (int, error) { ran.Add(1); return 3, nil }))
		return len(fmt.Sprint(r.Err, q.Err))
	}))
	if got := ran.Load(); got != 2 {
		t.Errorf("%d blocking functions ran, want 2 (the one running when dropped, and the last; the queued one was cancelled)", got)
	}
}

func TestCurrent(t *testing.T) {
	ex := newExecutor(t, Options{})
	ok := blockOn(t, ex, future.PollFn(func(cx *future.Context) future.Poll[bool] {
		got, ok := Current(cx)
		return future.PollReady(ok && got == ex)
	}))
	if !ok {
		t.Error("Current(cx) did not return the executor")
	}
	if _, ok := Current(future.NewContext(future.Noop())); ok {
		t.Error("Current of a foreign context returned ok")
	}
}

func TestLogDebug(t *testing.T) {
	var buf testutil.SyncBuffer
	ex := newExecutor(t, Options{Logger: debugLogger(&buf)})
	blockOn(t, ex, async(func(co *future.Co) int {
		await(co, ex.Sleep(time.Millisecond))
		return await(co, Spawn(ex, future.Ready(1))).Value
	}))
	out := buf.String()
	for _, want := range []string{"task spawned", "poll task", "timer fired", "task done", "msg=poll "} {
		if !contains(out, want) {
			t.Errorf("debug log lacks %q", want)
		}
	}
}

// ReadFileIn reads inside its root and refuses names that leave it: a
// parent path, an absolute path, a symlink that points out.
func TestReadFileInStaysInRoot(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	outside := t.TempDir()
	dir := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	for path, data := range map[string]string{filepath.Join(dir, "in.txt"): "inside", secret: "outside"} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(secret, filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	rel, err := filepath.Rel(dir, secret)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"in.txt", rel, secret, "link.txt", "missing.txt"}
	ex := newExecutor(t, Options{})
	got := blockOn(t, ex, async(func(co *future.Co) []string {
		var out []string
		for _, name := range names {
			r := await(co, ex.ReadFileIn(root, name))
			if r.Err != nil {
				out = append(out, "error")
			} else {
				out = append(out, string(r.Value))
			}
		}
		return out
	}))
	want := []string{"inside", "error", "error", "error", "error"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadFileIn(root, %q) (-want +got):\n%s", names, diff)
	}
}

// The pool runs up to Workers functions at once, also when a worker is
// already idle: four jobs submitted in one turn, each waiting until all
// four are running, all get a worker. (Signalling one idle worker once per
// job would leave the other three queued behind it.)
func TestSpawnBlockingRunsWorkersAtOnce(t *testing.T) {
	const workers = 4
	ex := newExecutor(t, Options{Workers: workers})
	var running atomic.Int32
	job := func() (int32, error) {
		n := running.Add(1)
		deadline := time.Now().Add(2 * time.Second)
		for n < workers && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
			n = running.Load()
		}
		return n, nil
	}
	got := blockOn(t, ex, async(func(co *future.Co) []int32 {
		await(co, SpawnBlocking(ex, func() (int, error) { return 0, nil })) // one worker, now idle
		var hs []*JoinHandle[Result[int32]]
		for range workers { // four tasks, each submitting in its first poll, all in one turn
			hs = append(hs, Spawn(ex, SpawnBlocking(ex, job)))
		}
		var seen []int32
		for _, h := range hs {
			seen = append(seen, await(co, h).Value.Value)
		}
		return seen
	}))
	want := []int32{workers, workers, workers, workers}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("functions running at once, as each job saw it (-want +got):\n%s", diff)
	}
}

// Misuse and bad input end in one clear error, and leak nothing: BlockOn or
// Close from inside BlockOn, a bad or busy address, BlockOn on a closed
// executor.
func TestMisuseIsAClearError(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	var inUse error
	got := blockOn(t, ex, async(func(co *future.Co) []string {
		_, nested := BlockOn(ex, future.Ready(1))
		l, err := ex.Listen("127.0.0.1:0")
		if err != nil {
			return []string{err.Error()}
		}
		defer l.Close()
		_, bad := ex.Listen("nonsense")
		_, inUse = ex.Listen(l.Addr().String())
		badText := errString(bad)
		if i := strings.Index(badText, `": `); i >= 0 {
			badText = badText[:i+1] // the reason after it is stage 02's wording
		}
		return []string{errString(nested), errString(ex.Close()), badText}
	}))
	want := []string{
		"executor: BlockOn called inside BlockOn",
		"executor: Close called inside BlockOn",
		`tcp: bad address "nonsense"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if !errors.Is(inUse, unix.EADDRINUSE) {
		t.Errorf("Listen on a port in use: %v, want EADDRINUSE", inUse)
	}
	if _, err := BlockOn(ex, future.Ready(1)); !errors.Is(err, ErrClosed) {
		t.Errorf("BlockOn on a closed executor: %v, want ErrClosed", err)
	}
}
