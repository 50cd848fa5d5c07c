//go:build linux

// go test -run 'Dump|Tasks' -v ./08-io-uring/loop
package loop

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/internal/testutil"
)

// TestTasksSaysWhatEachTaskWaitsOn puts one task on a recv and one on a
// timeout, lets both go idle, and reads the dump from inside the root task.
func TestTasksSaysWhatEachTaskWaitsOn(t *testing.T) {
	l := newLoop(t, Options{})
	ln := listen(t)
	c := dial(t, ln)
	var dump strings.Builder
	infos := run(t, l, "dump of idle tasks", future.Async(func(co *future.Co) []TaskInfo {
		fd, err := future.Await(co, l.Accept(ln.Fd())).Get()
		if err != nil {
			t.Errorf("Accept: %v", err)
			return nil
		}
		defer future.Await(co, l.CloseFd(fd))
		Spawn(l, future.Async(func(co *future.Co) struct{} { // 2: waits on the recv
			future.Await(co, l.Recv(fd, 0))
			return struct{}{}
		}))
		Spawn(l, future.Async(func(co *future.Co) struct{} { // 3: waits on the timeout
			future.Await(co, l.Sleep(time.Hour))
			return struct{}{}
		}))
		future.Await(co, l.Sleep(20*time.Millisecond))
		infos := l.Tasks()
		if err := l.writeDump(&dump); err != nil {
			t.Error(err)
		}
		c.Write([]byte("x")) // task 2's recv completes; Run drops task 3
		return infos
	}))
	t.Log("\n" + dump.String())
	want := map[uint64]struct{ state, waits string }{
		1: {"running", ""},
		2: {"idle", `^recv fd \d+, in flight \d+ms$`},
		3: {"idle", `^timeout of 1h0m0s, in flight \d+ms$`},
	}
	if len(infos) != len(want) {
		t.Fatalf("Tasks() = %d tasks, want %d: %+v", len(infos), len(want), infos)
	}
	for i, info := range infos {
		w := want[uint64(i+1)]
		got := strings.Join(info.WaitsOn, ", ")
		if info.ID != uint64(i+1) || info.State != w.state || (w.waits == "") != (got == "") || !regexp.MustCompile(w.waits).MatchString(got) {
			t.Errorf("task %d (at %d): %s, waits on %q; want task %d, %s, waits on /%s/", info.ID, i, info.State, got, i+1, w.state, w.waits)
		}
		if i > 0 && (info.SincePoll < 10*time.Millisecond || info.SincePoll > time.Minute) {
			t.Errorf("task %d: last poll %v ago, want at least 10ms (it slept 20ms)", info.ID, info.SincePoll)
		}
		if i > 0 && !strings.HasPrefix(info.Spawn, "loop/dump_test.go:") {
			t.Errorf("task %d spawned at %q, want this file", info.ID, info.Spawn)
		}
	}
	if fd := regexp.MustCompile(`recv fd (\d+)`).FindStringSubmatch(infos[1].WaitsOn[0]); fd == nil || fd[1] == "0" {
		t.Errorf("task 2's recv names no descriptor: %q", infos[1].WaitsOn)
	}
	for _, w := range []string{
		`(?m)^loop: 3 tasks, [1-9]\d* polls, [1-9]\d* wakes, [1-9]\d* io_uring_enter calls, [1-9]\d* CQEs reaped, [1-9]\d* operations in flight`,
		`(?m)^  task  state +last poll +spawned at +future +waits on$`,
		`(?m)^  2 +idle +\d+ms ago +loop/dump_test.go:\d+ \(loop.TestTasksSaysWhatEachTaskWaitsOn.func1\) +\*future.asyncFuture\[struct \{\}\] +recv fd`,
	} {
		if !regexp.MustCompile(w).MatchString(dump.String()) {
			t.Errorf("the dump does not match %s:\n%s", w, dump.String())
		}
	}
}

// TestDumpFromAnotherGoroutine asks a loop asleep in io_uring_enter for its
// dump: the eventfd wakes it, it answers, and it goes on; after Run, Dump
// says the loop is not running.
func TestDumpFromAnotherGoroutine(t *testing.T) {
	l := newLoop(t, Options{})
	var out testutil.SyncBuffer
	errc := make(chan error, 1)
	run(t, l, "a dump while asleep", future.Async(func(co *future.Co) int {
		go func() { errc <- l.Dump(&out, 5*time.Second) }()
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "waits on"); {
			if time.Now().After(deadline) {
				t.Error("no dump within 5s: the loop did not wake for it")
				return 0
			}
			future.Await(co, l.Sleep(time.Millisecond))
		}
		return 0
	}))
	if err := <-errc; err != nil {
		t.Errorf("Dump = %v", err)
	}
	if !strings.Contains(out.String(), "loop: 1 tasks") {
		t.Errorf("Dump wrote %q", out.String())
	}
	var after strings.Builder
	if err := l.Dump(&after, time.Second); err != nil || after.String() != "loop: not running\n" {
		t.Errorf("Dump after Run = %v, wrote %q", err, after.String())
	}
}

// TestDumpFromAStuckPoll: a task blocking the loop inside its poll cannot
// let it answer; Dump says so after its timeout instead of hanging.
func TestDumpFromAStuckPoll(t *testing.T) {
	l := newLoop(t, Options{})
	inPoll, release := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		<-inPoll
		errc <- l.Dump(io.Discard, 50*time.Millisecond)
		close(release)
	}()
	run(t, l, "a poll that blocks", future.PollFn(func(*future.Context) future.Poll[int] {
		close(inPoll)
		<-release // blocks the loop: the mistake a dump cannot see into
		return future.PollReady(0)
	}))
	if err := <-errc; err != ErrLoopBusy {
		t.Errorf("Dump = %v, want ErrLoopBusy", err)
	}
}

// TestDumpFieldsFitTheSizeClasses: the dump's fields must not move an op or
// a task into a larger allocation size class (96 and 64 bytes); each idle
// connection holds one of each (BenchmarkIdleMemory in ./08-io-uring).
func TestDumpFieldsFitTheSizeClasses(t *testing.T) {
	if got := unsafe.Sizeof(op{}); got > 96 {
		t.Errorf("an op is %d bytes, more than the 96-byte size class", got)
	}
	if got := unsafe.Sizeof(task{}); got > 64 {
		t.Errorf("a task is %d bytes, more than the 64-byte size class", got)
	}
}
