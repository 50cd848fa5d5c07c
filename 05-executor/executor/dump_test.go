package executor

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
)

// TestTasksSaysWhatEachTaskWaitsOn puts one task in each kind of wait, lets
// them all go idle, and reads the dump from inside the root task.
func TestTasksSaysWhatEachTaskWaitsOn(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	ex := newExecutor(t, Options{})
	var stop Notify
	release := make(chan struct{})
	ready := false
	infos := blockOn(t, ex, async(func(co *future.Co) []TaskInfo {
		l, err := ex.Listen("127.0.0.1:0")
		if err != nil {
			t.Error(err)
			return nil
		}
		defer l.Close()
		accept := Spawn(ex, l.Accept())                                 // 2
		sleeper := Spawn(ex, ex.Sleep(time.Hour))                       // 3
		joiner := Spawn(ex, async(func(co *future.Co) Result[*Stream] { // 4
			return await(co, accept).Value
		}))
		notified := Spawn(ex, future.Future[struct{}](&stop)) // 5
		blocking := Spawn(ex, SpawnBlocking(ex, func() (int, error) { <-release; return 0, nil }))
		lost := Spawn(ex, future.Future[struct{}](lostWaker{&ready})) // 7
		await(co, ex.Sleep(10*time.Millisecond))
		infos := ex.Tasks()
		for _, h := range []interface{ Abort() }{accept, sleeper, joiner, notified, lost} {
			h.Abort()
		}
		close(release)
		await(co, blocking)
		return infos
	}))
	want := map[uint64]string{
		1: "", // the root, running
		2: "(listener) readable",
		3: "timer due in 59m59",
		4: "JoinHandle of task 2",
		5: "Notify",
		6: "blocking job (running)",
		7: waitElsewhere,
	}
	if len(infos) != len(want) {
		t.Fatalf("Tasks() = %d tasks, want %d: %+v", len(infos), len(want), infos)
	}
	for _, info := range infos {
		w := want[info.ID]
		got := strings.Join(info.WaitsOn, ", ")
		if !strings.Contains(got, w) || (w == "") != (got == "") {
			t.Errorf("task %d waits on %q, want %q", info.ID, got, w)
		}
		if info.ID == 1 {
			if info.State != "running" {
				t.Errorf("root task state %q, want running", info.State)
			}
			continue
		}
		if info.State != "idle" || info.SincePoll < 5*time.Millisecond || info.SincePoll > time.Minute {
			t.Errorf("task %d: state %s, last poll %v ago; want idle, polled at least 5ms ago",
				info.ID, info.State, info.SincePoll)
		}
		if !strings.HasPrefix(info.Spawn, "executor/dump_test.go:") {
			t.Errorf("task %d spawned at %q, want this file", info.ID, info.Spawn)
		}
	}
	if f := infos[6].Future; f != "executor.lostWaker" {
		t.Errorf("task 7's future is %q, want executor.lostWaker", f)
	}
}

// TestDumpOnSignal sends the process SIGUSR1 while a loop waits on a
// timer: the dump comes out, and the loop goes on to finish.
func TestDumpOnSignal(t *testing.T) {
	var out testutil.SyncBuffer
	stop := DumpOnSignal(&out)
	defer stop()
	ex := newExecutor(t, Options{})
	ready := false
	got := blockOn(t, ex, async(func(co *future.Co) string {
		Spawn(ex, future.Future[struct{}](lostWaker{&ready})).Drop()
		await(co, ex.Sleep(5*time.Millisecond)) // the lostWaker task is idle now
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			return err.Error()
		}
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "end of task dump"); {
			if time.Now().After(deadline) {
				return "no dump within 5s of SIGUSR1"
			}
			await(co, ex.Sleep(time.Millisecond))
		}
		return "went on"
	}))
	if got != "went on" {
		t.Fatal(got)
	}
	dump := out.String()
	t.Log("\n" + dump)
	for _, want := range []string{
		"--- task dump (user defined signal 1): 1 executors ---",
		"  task  state",
		waitElsewhere,
		"executor.lostWaker",
		"timer due in",
	} {
		if !strings.Contains(dump, want) {
			t.Errorf("the dump lacks %q:\n%s", want, dump)
		}
	}
}

// TestDumpFromAStuckPoll: a task that blocks the loop inside its poll
// cannot let the loop answer; Dump says so after its timeout instead of
// hanging.
func TestDumpFromAStuckPoll(t *testing.T) {
	ex := newExecutor(t, Options{})
	inPoll, release := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	var out testutil.SyncBuffer
	go func() {
		<-inPoll
		errc <- ex.Dump(&out, 50*time.Millisecond)
		close(release)
	}()
	blockOn(t, ex, future.PollFn(func(*future.Context) future.Poll[int] {
		close(inPoll)
		<-release // blocks the loop: the mistake a dump cannot see into
		return future.PollReady(0)
	}))
	if err := <-errc; err != ErrLoopBusy {
		t.Errorf("Dump = %v, want ErrLoopBusy", err)
	}
	if !strings.Contains(out.String(), "a task's poll is blocking it") {
		t.Errorf("Dump wrote %q", out.String())
	}
}

// TestDumpForgetsDroppedNotifies: a task per connection, each waiting on
// its own Notify and then aborted, must not leave its Notify in the dump's
// table for ever.
func TestDumpForgetsDroppedNotifies(t *testing.T) {
	ex := newExecutor(t, Options{})
	left := blockOn(t, ex, async(func(co *future.Co) int {
		for range 1000 {
			h := Spawn(ex, future.Future[struct{}](new(Notify)))
			await(co, YieldNow()) // h polls its Notify and waits
			h.Abort()
		}
		return len(ex.seen.notifies)
	}))
	if left > 128 {
		t.Errorf("%d Notify futures of finished tasks are still in the dump's table, want at most 128", left)
	}
}

// TestDumpWithTheDetectorTellsHeldFromLost: for an idle task that no table
// of the executor names, the detector's probe tells a waker kept elsewhere
// (here by a goroutine) from one that no longer exists.
func TestDumpWithTheDetectorTellsHeldFromLost(t *testing.T) {
	ex := newExecutor(t, Options{DetectLostWakers: true})
	ready := false
	held := make(chan future.Waker, 1)
	infos := blockOn(t, ex, async(func(co *future.Co) []TaskInfo {
		Spawn(ex, future.Future[struct{}](lostWaker{&ready})).Drop()             // 2
		Spawn(ex, future.PollFn(func(cx *future.Context) future.Poll[struct{}] { // 3
			select {
			case held <- cx.Waker(): // a goroutine below keeps it
			default:
			}
			return future.Pending[struct{}]()
		})).Drop()
		await(co, ex.Sleep(5*time.Millisecond))
		return ex.Tasks()
	}))
	<-held // the waker stayed reachable until here
	got := map[uint64]string{}
	for _, info := range infos {
		got[info.ID] = strings.Join(info.WaitsOn, ", ")
	}
	if got[2] != waitLost || got[3] != waitHeld {
		t.Errorf("task 2 waits on %q, want %q; task 3 on %q, want %q", got[2], waitLost, got[3], waitHeld)
	}
}
