//go:build linux

// go test -run 'Dump|Tasks' -v ./08-io-uring/loop
package loop

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

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
	// The root was polled after its 20ms sleep, tasks 2 and 3 before it: a
	// clock not read after the loop slept would give them one time.
	if infos[0].SincePoll >= infos[2].SincePoll {
		t.Errorf("the root's last poll (%v ago) is not later than task 3's (%v ago): the loop's clock stood still",
			infos[0].SincePoll, infos[2].SincePoll)
	}
	if f := infos[0].Future; !strings.HasPrefix(f, "*future.asyncFuture[") {
		t.Errorf("the root's future is %q, want the type given to Run", f)
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

// TestDumpFromAnotherGoroutine asks a loop asleep in io_uring_enter, its
// only task waiting on a recv, for its dump: the eventfd must wake it to
// answer. Then the recv gets its data, and Run returns; after Run, Dump says
// the loop is not running.
func TestDumpFromAnotherGoroutine(t *testing.T) {
	l := newLoop(t, Options{})
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	var out testutil.SyncBuffer
	errc := make(chan error, 1)
	go func() {
		for !l.asleep() {
			time.Sleep(time.Millisecond) // the watchdog of run ends a wait that does not end
		}
		err := l.Dump(&out, 3*time.Second)
		unix.Write(fds[1], []byte("x")) // ends the recv, and Run
		errc <- err
	}()
	run(t, l, "a dump while asleep", l.RecvInto(fds[0], make([]byte, 1)))
	if err := <-errc; err != nil {
		t.Errorf("Dump = %v: a loop asleep in io_uring_enter must wake to answer it", err)
	}
	if !strings.Contains(out.String(), "loop: 1 tasks") || !strings.Contains(out.String(), fmt.Sprintf("recv fd %d", fds[0])) {
		t.Errorf("Dump wrote %q, want 1 task waiting on a recv on fd %d", out.String(), fds[0])
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

// asleep tells whether the loop is (about to be) asleep in io_uring_enter.
func (l *Loop) asleep() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sleeping
}
