package executor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
)

// TaskInfo is one line of a task dump: what the executor knows about a task
// that has not finished.
type TaskInfo struct {
	ID        uint64
	Spawn     string        // where it was spawned: "file.go:42 (pkg.function)"
	Future    string        // the spawned future's type
	State     string        // scheduled, running, idle or notified
	SincePoll time.Duration // since its last poll began; -1 if never polled
	WaitsOn   []string      // for an idle task: every registration that holds its waker
}

// Said of an idle task whose waker is in none of the executor's tables.
const (
	waitElsewhere = "no registration of this executor: a waker kept elsewhere (a channel, a future's own field), or a lost one (DETECT_LOST_WAKERS tells)"
	waitHeld      = "a waker kept outside this executor (a channel, another goroutine): the detector sees it alive"
	waitLost      = "NOTHING: no waker of it exists (a lost waker)"
)

// unknownWait describes an idle task that no table of the executor names.
// With the lost-waker detector on it can say more: a GC, then is the
// task's probe still reachable?
func (ex *Executor) unknownWait(t *task) string {
	if ex.detect == nil {
		return waitElsewhere
	}
	runtime.GC()
	if ex.detect.probes[t].Value() != nil {
		return waitHeld
	}
	return waitLost
}

// Tasks lists the executor's unfinished tasks in spawn order, with what each
// idle one waits on. It reads the loop's tables: call it on the loop
// goroutine (from a task) or while BlockOn is not running. From another
// goroutine, use Dump.
func (ex *Executor) Tasks() []TaskInfo {
	waits := ex.waitTable()
	ex.mu.Lock()
	tasks := slices.Clone(ex.tasks)
	ex.mu.Unlock()
	slices.SortFunc(tasks, func(a, b *task) int { return int(a.id) - int(b.id) })
	now := ex.clockMS()
	infos := make([]TaskInfo, 0, len(tasks))
	for _, t := range tasks {
		state := t.state.Load()
		if state == stateDone {
			continue
		}
		info := TaskInfo{
			ID: t.id, Spawn: siteString(ex.siteOf(t)), Future: t.futureType(), State: stateNames[state],
			SincePoll: -1,
		}
		if t.lastPoll != 0 {
			info.SincePoll = time.Duration(now-t.lastPoll) * time.Millisecond
		}
		if state == stateIdle {
			info.WaitsOn = waits[t]
			if len(info.WaitsOn) == 0 {
				info.WaitsOn = []string{ex.unknownWait(t)}
			}
		}
		infos = append(infos, info)
	}
	return infos
}

var stateNames = [...]string{
	stateIdle: "idle", stateScheduled: "scheduled", stateRunning: "running",
	stateNotified: "notified", stateDone: "done",
}

// waitTable walks every place where this package stores a waker (the token
// table, the timer heap, JoinHandles, the blocking jobs, Notify) and returns,
// per task, a description of each registration that would wake it.
func (ex *Executor) waitTable() map[*task][]string {
	waits := map[*task][]string{}
	add := func(w future.Waker, what string) {
		if t := ex.taskOf(w); t != nil {
			waits[t] = append(waits[t], what)
		}
	}
	for _, s := range ex.slots {
		if s == nil {
			continue
		}
		kind := "stream"
		if _, ok := s.owner.(*Listener); ok {
			kind = "listener"
		}
		add(s.readWaker, fmt.Sprintf("fd %d (%s) readable", s.fd, kind))
		add(s.writeWaker, fmt.Sprintf("fd %d (%s) writable", s.fd, kind))
	}
	now := ex.now()
	for _, tm := range ex.timers {
		add(tm.waker, fmt.Sprintf("timer due in %v", time.Duration(tm.when-now).Round(time.Millisecond)))
	}
	ex.mu.Lock()
	tasks := slices.Clone(ex.tasks)
	ex.mu.Unlock()
	for _, joined := range tasks {
		if j, ok := joined.r.(interface{ joiner() future.Waker }); ok {
			add(j.joiner(), fmt.Sprintf("JoinHandle of task %d", joined.id))
		}
	}
	for b := range ex.seen.blocking {
		if w, state := b.waiting(); w != nil {
			add(w, "blocking job ("+state+")")
		}
	}
	for n := range ex.seen.notifies {
		if n.Notified() {
			delete(ex.seen.notifies, n)
			continue
		}
		add(n.waiter, "Notify")
	}
	return waits
}

// taskOf returns the task of this executor that w wakes, or nil.
func (ex *Executor) taskOf(w future.Waker) *task {
	switch w := w.(type) {
	case *task:
		if w.ex == ex {
			return w
		}
	case *wakeProbe:
		if w.t.ex == ex {
			return w.t
		}
	}
	return nil
}

// seenWaits is where the futures of this package that keep a waker outside
// the reactor and the timer heap (Notify, SpawnBlocking) leave a note, so
// that a dump can say what an idle task waits on. Loop goroutine only.
type seenWaits struct {
	notifies map[*Notify]struct{}
	blocking map[blockingWait]struct{}
	pruneAt  int // prune notifies when it grows to this size
}

// blockingWait is a SpawnBlocking future, seen from a dump.
type blockingWait interface {
	waiting() (future.Waker, string)
}

// noteWaiter remembers, when a task of an executor polls n, which task
// waits on n, so that the executor's dump can say so.
func (n *Notify) noteWaiter(cx *future.Context) {
	ex, ok := Current(cx)
	if !ok {
		return
	}
	n.waiter = cx.Waker()
	if ex.seen.notifies == nil {
		ex.seen.notifies = map[*Notify]struct{}{}
	}
	ex.seen.notifies[n] = struct{}{}
	if len(ex.seen.notifies) >= ex.seen.pruneAt {
		ex.pruneNotifies()
	}
}

// pruneNotifies forgets the Notify futures whose waiting task is gone (a
// Notify dropped unnotified, with its task), so that a program that makes
// one per connection does not grow the table forever. It runs when the
// table doubled since the last prune: amortised, a constant per poll.
func (ex *Executor) pruneNotifies() {
	for n := range ex.seen.notifies {
		if t := ex.taskOf(n.waiter); n.Notified() || t == nil || t.state.Load() == stateDone {
			delete(ex.seen.notifies, n)
		}
	}
	ex.seen.pruneAt = max(64, 2*len(ex.seen.notifies))
}

// countWake counts one scheduling of a task: its spawn, or a wake that
// found it idle or running.
func (ex *Executor) countWake(*task) {
	ex.stats.Wakes++
}

// tickClock reads the clock for the dump after a Poll that may have
// waited, and on every 64th turn that did not: a busy loop pays one clock
// read per 64 turns, and a task's "last poll" is late by at most 64 turns
// of work.
func (ex *Executor) tickClock(timeout time.Duration) {
	if timeout != 0 || ex.stats.Turns%64 == 0 {
		ex.readClock()
	}
}

// readClock sets the clock that runTask stamps on each task it polls.
func (ex *Executor) readClock() { ex.turnMS = ex.clockMS() }

// clockMS is the loop's clock in milliseconds, plus one so that a task's
// lastPoll of 0 means "never polled". As a uint32 it wraps after 49 days;
// differences stay right across the wrap.
func (ex *Executor) clockMS() uint32 { return uint32(ex.now()/int64(time.Millisecond)) + 1 }

// siteIndex returns the index of a spawn site in ex.sites, adding it if it
// is new. A program spawns from a handful of places, so a task keeps a
// 4-byte index instead of an 8-byte program counter. ex.mu is held.
func (ex *Executor) siteIndex(pc uintptr) uint32 {
	if i, ok := ex.siteIdx[pc]; ok {
		return i
	}
	i := uint32(len(ex.sites))
	ex.sites = append(ex.sites, pc)
	ex.siteIdx[pc] = i
	return i
}

// respawnedAt records that t's site is pc after all (BlockOn: its caller).
func (ex *Executor) respawnedAt(t *task, pc uintptr) {
	ex.mu.Lock()
	t.site = ex.siteIndex(pc)
	ex.mu.Unlock()
}

// siteOf returns the program counter of t's spawn site.
func (ex *Executor) siteOf(t *task) uintptr {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	if int(t.site) < len(ex.sites) {
		return ex.sites[t.site]
	}
	return 0
}

// loopAnsweringDumps is the loop, with Dump told that it may ask the loop.
func (ex *Executor) loopAnsweringDumps(root *task) error {
	ex.looping.Store(true)
	ex.readClock()
	err := ex.loop(root)
	ex.looping.Store(false)
	ex.answerDump() // one that came too late for the loop
	return err
}

// noteBlocking remembers (or, with done, forgets) a blocking job.
func (ex *Executor) noteBlocking(b blockingWait, done bool) {
	if done {
		delete(ex.seen.blocking, b)
		return
	}
	if ex.seen.blocking == nil {
		ex.seen.blocking = map[blockingWait]struct{}{}
	}
	ex.seen.blocking[b] = struct{}{}
}

func (f *blockingFuture[T]) waiting() (future.Waker, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	state := "queued"
	if f.state == jobRunning {
		state = "running"
	}
	return f.waker, state
}

func (h *JoinHandle[T]) joiner() future.Waker { return h.waiter }

// futureType names the type of the task's future.
func (t *task) futureType() string {
	switch r := t.r.(type) {
	case interface{ futureAny() any }:
		return fmt.Sprintf("%T", r.futureAny())
	}
	return "?"
}

func (h *JoinHandle[T]) futureAny() any { return h.fut }
func (d *detachedTask) futureAny() any  { return d.fut }

// callerSite returns the program counter of the function that called the
// caller of callerSite's caller: for Spawn, where Spawn was called.
func callerSite(skip int) uintptr {
	var pc [1]uintptr
	if runtime.Callers(skip+2, pc[:]) == 0 {
		return 0
	}
	return pc[0]
}

// siteString turns a spawn site into "file.go:42 (pkg.function)", with the
// file's directory cut to its last element.
func siteString(pc uintptr) string {
	if pc == 0 {
		return "?"
	}
	frame, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	file := frame.File
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		if j := strings.LastIndexByte(file[:i], '/'); j >= 0 {
			file = file[j+1:]
		}
	}
	fn := frame.Function
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	return fmt.Sprintf("%s:%d (%s)", file, frame.Line, fn)
}

// writeDump writes the task dump (Tasks, with the executor's counters) to w.
// Like Tasks, it belongs to the loop goroutine; from elsewhere use Dump.
func (ex *Executor) writeDump(w io.Writer) error {
	tasks := ex.Tasks()
	st := ex.Stats()
	fmt.Fprintf(w, "%s: %d tasks, %d polls, %d wakes, %d turns\n", ex.name(), len(tasks), st.Polls, st.Wakes, st.Turns)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  task\tstate\tlast poll\tspawned at\tfuture\twaits on")
	for _, t := range tasks {
		since := "never"
		if t.SincePoll >= 0 {
			since = t.SincePoll.Round(time.Millisecond).String() + " ago"
		}
		waits := "-"
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

// ErrLoopBusy is what Dump returns when the loop did not answer in time: it
// is inside a poll that does not return (a task that blocks), or BlockOn
// returned meanwhile.
var ErrLoopBusy = errors.New("executor: the loop did not answer the dump request")

// Dump writes the task dump to w from any goroutine (a signal handler, a
// debug endpoint). If the loop is running, Dump asks it through the user
// event and waits up to timeout for it to write the dump between two task
// polls; a loop stuck inside one poll cannot answer, and Dump then returns
// ErrLoopBusy (the goroutine dump of SIGQUIT shows where that poll is). If
// the loop is not running, Dump writes what the task table holds.
func (ex *Executor) Dump(w io.Writer, timeout time.Duration) error {
	if !ex.looping.Load() {
		ex.mu.Lock()
		n, closed := len(ex.tasks), ex.closed
		ex.mu.Unlock()
		_, err := fmt.Fprintf(w, "%s: not running (closed: %v), %d tasks spawned and waiting for BlockOn\n", ex.name(), closed, n)
		return err
	}
	req := &dumpRequest{w: w, done: make(chan struct{})}
	if !ex.dumpReq.CompareAndSwap(nil, req) {
		return errors.New("executor: another dump is in progress")
	}
	_ = ex.set.Set() // the loop answers in dispatch, on the user event
	select {
	case <-req.done:
		return req.err
	case <-time.After(timeout):
		if ex.dumpReq.CompareAndSwap(req, nil) {
			fmt.Fprintf(w, "%s: the loop did not answer within %v: a task's poll is blocking it\n", ex.name(), timeout)
			return ErrLoopBusy
		}
		<-req.done // the loop took it just now
		return req.err
	}
}

// answerDump writes a requested dump; the loop calls it when the user event
// fires.
func (ex *Executor) answerDump() {
	if req := ex.dumpReq.Swap(nil); req != nil {
		req.err = ex.writeDump(req.w)
		close(req.done)
	}
}

// live is every executor of the process that is not closed, for
// DumpOnSignal.
var live struct {
	mu   sync.Mutex
	set  map[*Executor]int // executor -> its number in dumps: 1 for the first New, and so on
	next int
}

func addLive(ex *Executor) {
	live.mu.Lock()
	if live.set == nil {
		live.set = map[*Executor]int{}
	}
	live.next++
	live.set[ex] = live.next
	live.mu.Unlock()
}

// name is "executor N", N counting the executors of the process from 1 in
// the order New made them ("executor (closed)" once closed).
func (ex *Executor) name() string {
	live.mu.Lock()
	defer live.mu.Unlock()
	if n, ok := live.set[ex]; ok {
		return fmt.Sprintf("executor %d", n)
	}
	return "executor (closed)"
}

func removeLive(ex *Executor) {
	live.mu.Lock()
	delete(live.set, ex)
	live.mu.Unlock()
}

// dumpSignal is the signal DumpOnSignal listens for. Not SIGQUIT: Go's
// runtime answers SIGQUIT (Ctrl-\) by printing every goroutine's stack and
// exiting, which is the right tool when the loop itself is stuck inside a
// poll, and a program should not lose it. SIGUSR1 is free: the runtime does
// not use it, and by default it would end the program.
var dumpSignal os.Signal = syscall.SIGUSR1

// DumpOnSignal makes the process print a dump of every open executor to w
// each time it receives dumpSignal (kill -USR1 PID), and go on. Each dump
// waits at most a second for its loop. Call the returned stop to undo it.
// Every stage program from 05 on calls it first thing.
func DumpOnSignal(w io.Writer) (stop func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, dumpSignal)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-sigs:
				dumpAll(w)
			case <-quit:
				return
			}
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(quit)
		wg.Wait()
	}
}

// dumpAll dumps every open executor, oldest first.
func dumpAll(w io.Writer) {
	live.mu.Lock()
	exs := make([]*Executor, 0, len(live.set))
	for ex := range live.set {
		exs = append(exs, ex)
	}
	slices.SortFunc(exs, func(a, b *Executor) int { return live.set[a] - live.set[b] })
	live.mu.Unlock()
	fmt.Fprintf(w, "--- task dump (%s): %d executors ---\n", dumpSignal, len(exs))
	for _, ex := range exs {
		_ = ex.Dump(w, time.Second)
	}
	fmt.Fprintln(w, "--- end of task dump ---")
}
