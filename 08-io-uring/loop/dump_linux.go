package loop

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"

	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/08-io-uring/uring"
)

// TaskInfo is stage 05's line of a task dump. Here an idle task's WaitsOn
// lists the operations it has in flight: what the kernel is doing for it.
type TaskInfo = executor.TaskInfo

// ErrLoopBusy is stage 05's: the loop did not answer Dump in time.
var ErrLoopBusy = executor.ErrLoopBusy

// Tasks lists the loop's unfinished tasks in spawn order, with the
// operations each idle one has in flight. Call it on the loop goroutine
// (from a task) or while Run is not running; from another goroutine, use
// Dump.
func (l *Loop) Tasks() []TaskInfo {
	waits := l.waitTable()
	now := l.clockMS()
	infos := make([]TaskInfo, 0, len(l.tasks))
	for _, t := range l.tasks {
		info := TaskInfo{ID: uint64(t.id), Spawn: siteString(t.site), Future: fmt.Sprintf("%T", t.fut), SincePoll: -1}
		if t == l.root {
			info.Future = l.rootFut
		}
		if t.lastPoll != 0 {
			info.SincePoll = time.Duration(now-t.lastPoll) * time.Millisecond
		}
		switch {
		case t == l.polling:
			info.State = "running"
		case t.queued.Load():
			info.State = "scheduled"
		default:
			info.State = "idle"
			info.WaitsOn = waits[t]
			if len(info.WaitsOn) == 0 {
				info.WaitsOn = []string{"no operation of this loop: a waker kept elsewhere (a Notify, a channel), or a lost one"}
			}
		}
		infos = append(infos, info)
	}
	// l.tasks is in no order: removeTask moves the last task into the gap.
	slices.SortFunc(infos, func(a, b TaskInfo) int { return cmp.Compare(a.ID, b.ID) })
	return infos
}

// waitTable walks the operation table and the tasks waiting for a provided
// buffer, and returns, per task, what would wake it.
func (l *Loop) waitTable() map[*task][]string {
	waits := map[*task][]string{}
	now := l.clockMS()
	for _, o := range l.ops {
		if t, ok := o.waker.(*task); ok && o.state == opInFlight {
			waits[t] = append(waits[t], describeOp(o, now))
		}
	}
	for _, w := range l.bufWaiters {
		if t, ok := w.(*task); ok {
			waits[t] = append(waits[t], "a provided buffer (every one is in use)")
		}
	}
	return waits
}

var opNames = map[uint8]string{
	uring.OpNop: "nop", uring.OpTimeout: "timeout", uring.OpAccept: "accept", uring.OpAsyncCancel: "cancel",
	uring.OpClose: "close", uring.OpRead: "read", uring.OpSend: "send", uring.OpRecv: "recv",
}

// describeOp says what an operation in flight is: "recv fd 9, in flight
// 2.1s", "timeout of 1h0m0s, in flight 10ms".
func describeOp(o *op, now uint32) string {
	var b strings.Builder
	b.WriteString(opNames[o.kind])
	if o.kind == uring.OpTimeout {
		fmt.Fprintf(&b, " of %v", time.Duration(unix.TimespecToNsec(o.ts)))
	} else {
		fmt.Fprintf(&b, " fd %d", o.fd)
		if o.linked {
			fmt.Fprintf(&b, " (idle limit %v)", time.Duration(unix.TimespecToNsec(o.ts)))
		}
	}
	fmt.Fprintf(&b, ", in flight %v", time.Duration(now-o.started)*time.Millisecond)
	return b.String()
}

// writeDump writes the loop's totals and Tasks to w, in stage 05's format.
// Loop goroutine only.
func (l *Loop) writeDump(w io.Writer) error {
	tasks := l.Tasks()
	st := l.Stats()
	orphans := 0
	for _, o := range l.ops {
		if o.state == opOrphaned {
			orphans++
		}
	}
	fmt.Fprintf(w, "loop: %d tasks, %d polls, %d wakes, %d io_uring_enter calls, %d CQEs reaped, %d operations in flight (%d of them cancelled)\n",
		len(tasks), st.Polls, st.Wakes, st.Enters, st.Completions, l.live, orphans)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  task\tstate\tlast poll\tspawned at\tfuture\twaits on")
	for _, t := range tasks {
		since, waits := "never", "-"
		if t.SincePoll >= 0 {
			since = t.SincePoll.String() + " ago"
		}
		if len(t.WaitsOn) > 0 {
			waits = strings.Join(t.WaitsOn, ", ")
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.State, since, t.Spawn, t.Future, waits)
	}
	return tw.Flush()
}

// dumpRequest is a Dump waiting for the loop.
type dumpRequest struct {
	w    io.Writer
	err  error
	done chan struct{}
}

func (r *dumpRequest) answer(l *Loop) {
	r.err = l.writeDump(r.w)
	close(r.done)
}

// Dump writes the task dump to w from any goroutine (a signal handler). If
// Run is running, Dump asks the loop, waking it through the eventfd, and
// waits up to timeout for it to write the dump between two task polls; a
// task stuck inside its poll keeps the loop from answering, and Dump then
// returns ErrLoopBusy.
func (l *Loop) Dump(w io.Writer, timeout time.Duration) error {
	req := &dumpRequest{w: w, done: make(chan struct{})}
	l.mu.Lock()
	switch {
	case !l.running:
		l.mu.Unlock()
		_, err := fmt.Fprintln(w, "loop: not running")
		return err
	case l.dumpReq != nil:
		l.mu.Unlock()
		return errors.New("loop: another dump is in progress")
	}
	l.dumpReq = req
	if l.sleeping {
		l.sleeping = false
		l.wakeLoop() // under mu: shutdown cannot close the eventfd meanwhile
	}
	l.mu.Unlock()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-req.done:
		return req.err
	case <-timer.C:
	}
	l.mu.Lock()
	unanswered := l.dumpReq == req
	if unanswered {
		l.dumpReq = nil
	}
	l.mu.Unlock()
	if !unanswered {
		<-req.done // the loop took it just now
		return req.err
	}
	fmt.Fprintf(w, "loop: the loop did not answer within %v: a task's poll is blocking it\n", timeout)
	return ErrLoopBusy
}

// startDumps lets Dump ask the loop; Run calls it.
func (l *Loop) startDumps() {
	l.readClock()
	l.mu.Lock()
	l.running = true
	l.mu.Unlock()
}

// stopDumps answers a request that came too late for the loop, and makes
// later ones say "not running".
func (l *Loop) stopDumps() {
	l.mu.Lock()
	req := l.dumpReq
	l.running, l.dumpReq = false, nil
	l.mu.Unlock()
	if req != nil {
		req.answer(l)
	}
}

// tickClock reads the clock after an io_uring_enter that may have slept,
// and every 64th turn otherwise: a busy loop pays one clock read per 64
// turns, and the times in a dump are late by at most 64 turns of work.
func (l *Loop) tickClock(wait uint32) {
	if wait != 0 || l.stats.Turns%64 == 0 {
		l.readClock()
	}
}

func (l *Loop) readClock() { l.turnMS = l.clockMS() }

// clockMS is the loop's clock in milliseconds, plus one so that 0 means
// "never". Differences stay right when the uint32 wraps (after 49 days).
func (l *Loop) clockMS() uint32 { return uint32(time.Since(l.clockAt)/time.Millisecond) + 1 }

// spawnSite returns the program counter of the call to Spawn or Run.
func spawnSite() uintptr {
	var pc [1]uintptr
	runtime.Callers(3, pc[:]) // runtime.Callers, spawnSite, Spawn: the caller of Spawn
	return pc[0]
}

// siteString is stage 05's form of a spawn site: "dir/file.go:42 (pkg.function)".
func siteString(pc uintptr) string {
	if pc == 0 {
		return "?"
	}
	frame, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	dir, file := filepath.Split(frame.File)
	_, fn := filepath.Split(frame.Function)
	return fmt.Sprintf("%s:%d (%s)", filepath.Join(filepath.Base(dir), file), frame.Line, fn)
}
