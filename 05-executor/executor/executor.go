package executor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/03-custom-events/event"
	"github.com/async-from-scratch/course/04-futures/future"
)

// Errors the executor reports. Compare with errors.Is.
var (
	// ErrClosed: the executor, Listener or Stream was closed.
	ErrClosed = errors.New("executor: closed")
	// ErrAborted: JoinHandle.Abort dropped the task before it finished.
	ErrAborted = errors.New("executor: task aborted")
	// ErrTimeout: Timeout's deadline passed first.
	ErrTimeout = errors.New("executor: timed out")
	// ErrPending is what the Poll-style methods (PollRead, PollWrite,
	// PollAccept, PollConnect) return when the operation cannot finish now:
	// cx's waker is stored and will be woken when it is worth trying again.
	// Return future.Pending from your Poll.
	ErrPending = errors.New("executor: pending (waker stored)")
)

// Options tune an Executor. The zero value is fine.
type Options struct {
	// Logger receives debug records for every poll, event, wake and task
	// state change, and warnings (accept back-off, panics). nil discards.
	Logger *slog.Logger
	// Workers is the size of the blocking pool (ReadFile, SpawnBlocking).
	// 0 means 4.
	Workers int
	// EventsCapacity is how many poll events one turn of the loop takes.
	// 0 means 256.
	EventsCapacity int
	// MaxTasksPerTurn bounds how many tasks run between two polls of the
	// OS, so I/O and timers are looked at even when tasks keep waking each
	// other. 0 means 256.
	MaxTasksPerTurn int
	// IOBudget is how many I/O operations one poll of a task may do before
	// the next one makes it yield (wake itself and return pending), so a
	// connection that always has data cannot starve the others. 0 means 64.
	IOBudget int
	// NoYield skips the runtime.Gosched the loop makes before it blocks in
	// Poll. The yield lets a goroutine that is about to wake the loop do so
	// while the loop is still awake, which makes a cross-goroutine wake
	// about ten times cheaper (BenchmarkWakeRoundTrip); a loop that never
	// gets such wakes may save the call.
	NoYield bool
}

// wakeToken is the token of the executor's one user event. Real tokens have
// a generation of at least 1 in their high half, so they never equal it.
const wakeToken = poll.Token(^uint64(0))

// runtimeWarmup arms a Go timer before the loop starts; see initRuntimePoller.
// Tests switch it off to show what happens without it.
var runtimeWarmup = true

// Executor is a single-threaded executor with its reactor. Create it with
// New, give it work with Spawn, and run it with BlockOn. Everything except
// Spawn and the wakers belongs to the goroutine running BlockOn.
type Executor struct {
	opts  Options
	log   *slog.Logger
	debug bool // log.Enabled(Debug), checked once: logging stays off the hot path

	p      *poll.Poll
	events *poll.Events
	reg    *event.Registration // the one user event: wakes from other goroutines
	set    *event.SetReadiness

	// Loop-only state (the BlockOn goroutine).
	runq    ring          // tasks ready to run
	current *task         // the task being polled, nil between polls
	budget  int           // I/O operations left for current
	slots   []*ioSource   // token table: slot index -> source (nil = free)
	free    []uint32      // free slot indexes
	gens    []uint32      // generation per slot, bumped when the slot is freed
	timers  timerHeap     // armed timers, earliest first
	base    time.Time     // the loop's clock starts here (monotonic)
	spare   []*task       // recycled inbox buffer
	stats   Stats         // counters, see Stats
	running bool          // inside BlockOn
	nextID  atomic.Uint64 // task ids

	// Cross-goroutine state.
	mu       sync.Mutex   // guards inbox, tasks, closed
	inbox    []*task      // tasks woken or spawned from anywhere, in order
	tasks    []*task      // every live task (for Close), by task.slot
	closed   bool         // set by Close: Spawn resolves at once
	inboxLen atomic.Int32 // len(inbox), readable without mu
	sleeping atomic.Bool  // the loop is (about to be) blocked in Poll

	pool pool // blocking workers
}

// Stats counts what the loop did. Read it on the loop goroutine or after
// BlockOn returned.
type Stats struct {
	Turns       uint64 // loop iterations
	Polls       uint64 // task polls
	Spawned     uint64 // tasks spawned
	Completed   uint64 // tasks that finished (ready, panicked or aborted)
	Panics      uint64 // tasks that panicked
	Events      uint64 // poll events received (user event included)
	StaleEvents uint64 // events dropped because their token's generation was old
	Wakeups     uint64 // user-event wakeups of the loop
	Yields      uint64 // I/O budget exhausted: task made to yield
	WouldBlocks uint64 // reads, writes and accepts that found nothing to do and stored a waker
	TimersFired uint64
	Reads       uint64 // read system calls made by Stream.PollRead (would-block included)
	Writes      uint64 // write system calls made by Stream.PollWrite (would-block included)
	ShortReads  uint64 // reads that returned less than asked and so marked the stream drained (each saves a read that would say would-block)
}

// New creates an executor: a poll.Poll and one user event for wakes from
// other goroutines. Close it, or hand it to BlockOn, which closes it.
func New(opts Options) (*Executor, error) {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.EventsCapacity <= 0 {
		opts.EventsCapacity = 256
	}
	if opts.MaxTasksPerTurn <= 0 {
		opts.MaxTasksPerTurn = 256
	}
	if opts.IOBudget <= 0 {
		opts.IOBudget = 64
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p, err := poll.New()
	if err != nil {
		return nil, fmt.Errorf("executor: %w", err)
	}
	reg, set, err := event.New()
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("executor: %w", err)
	}
	// Edge: one report per Set that found the event idle; Clear re-arms it.
	if err := reg.Register(p, wakeToken, poll.Edge); err != nil {
		reg.Close()
		p.Close()
		return nil, fmt.Errorf("executor: %w", err)
	}
	ex := &Executor{
		opts:   opts,
		log:    log,
		debug:  log.Enabled(context.Background(), slog.LevelDebug),
		p:      p,
		events: poll.NewEvents(opts.EventsCapacity),
		reg:    reg,
		set:    set,
		base:   time.Now(),
	}
	ex.pool.max = opts.Workers
	return ex, nil
}

// Stats returns the loop's counters.
func (ex *Executor) Stats() Stats {
	s := ex.stats
	s.Spawned = ex.nextID.Load()
	return s
}

// BlockOn runs the event loop on the calling goroutine until fut is ready,
// then drops every task that has not finished, closes every Listener and
// Stream still open, stops the worker pool and closes the executor. The
// error is a setup or poll failure, or a *PanicError if fut panicked; errors
// and panics of other tasks go to their JoinHandles, never out of BlockOn.
// Call it once per executor.
func BlockOn[T any](ex *Executor, fut future.Future[T]) (T, error) {
	var zero T
	if ex.running {
		return zero, errors.New("executor: BlockOn called inside BlockOn")
	}
	root := Spawn(ex, fut)
	if root.done { // executor closed
		return zero, root.res.Err
	}
	ex.running = true
	err := ex.loop(&root.task)
	ex.running = false
	if cerr := ex.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return zero, err
	}
	return root.res.Value, root.res.Err
}

// initRuntimePoller makes the Go runtime start its own netpoller now.
//
// A program that does all its I/O through x/sys/unix never touches the
// runtime's poller, so the runtime creates its epoll descriptor lazily, on
// the first Go timer (time.Sleep, time.After, the GC's scavenger...). If that
// first timer comes while the process is at its descriptor limit, for
// instance while accept is failing with EMFILE, the runtime cannot create its
// epoll instance and the whole process dies with "netpollinit failed". A
// timer armed here, before we open anything more, takes that risk at a
// moment when descriptors are still available.
func initRuntimePoller() {
	if runtimeWarmup {
		time.AfterFunc(time.Hour, func() {}).Stop() // a func timer is added to the runtime's heap at once
	}
}

// loop is the event loop. One turn: ask the OS what is ready (without
// waiting if tasks are runnable), turn events and expired timers into wakes,
// move wakes from other goroutines into the run queue, run a bounded number
// of tasks. It returns when root is done.
func (ex *Executor) loop(root *task) error {
	initRuntimePoller()
	for root.state.Load() != stateDone {
		ex.stats.Turns++
		timeout := ex.pollTimeout()
		n, err := ex.p.Poll(ex.events, timeout)
		ex.sleeping.Store(false)
		if err != nil {
			return fmt.Errorf("executor: %w", err)
		}
		if ex.debug && (n > 0 || timeout != 0) {
			wait := "forever"
			if timeout >= 0 {
				wait = timeout.String()
			}
			ex.log.Debug("poll", "timeout", wait, "events", n)
		}
		for ev := range ex.events.All() {
			ex.dispatch(ev)
		}
		ex.fireTimers()
		ex.drainInbox()
		// Run the tasks that are ready now, at most MaxTasksPerTurn of them.
		// A task woken during this turn (by itself, or by another task)
		// waits for the next one, behind the wakes from other goroutines
		// and the I/O events: that is the fairness rule.
		for n := min(ex.runq.len(), ex.opts.MaxTasksPerTurn); n > 0; n-- {
			ex.runTask(ex.runq.pop())
			if root.state.Load() == stateDone {
				return nil
			}
		}
	}
	return nil
}

// pollTimeout decides how long Poll may wait: not at all if a task is ready,
// until the next timer otherwise, forever if there is no timer.
//
// Lost wakeups are avoided with the sleeping flag. A waker on another
// goroutine first appends to the inbox, then reads sleeping and calls Set if
// it is true. The loop first sets sleeping, then looks at the inbox. Either
// the loop sees the task in the inbox (and does not wait), or the waker sees
// sleeping (and Set makes the eventfd readable, which ends the wait). Both
// sides use sequentially consistent atomics, so "neither sees the other"
// cannot happen.
func (ex *Executor) pollTimeout() time.Duration {
	if ex.runq.len() > 0 {
		return 0
	}
	timeout := poll.Forever
	if len(ex.timers) > 0 {
		timeout = max(time.Duration(ex.timers[0].key-ex.now()), 0)
		if timeout == 0 {
			return 0
		}
	}
	if !ex.opts.NoYield {
		// About to block: first let other goroutines on this processor
		// run. A worker or another goroutine that is about to wake us then
		// does so now, through the inbox, without the eventfd write and the
		// thread wake-up that a sleeping epoll_wait costs.
		runtime.Gosched()
	}
	ex.sleeping.Store(true)
	if ex.inboxLen.Load() > 0 {
		ex.sleeping.Store(false)
		return 0
	}
	return timeout
}

// now is the loop's monotonic clock in nanoseconds since New.
func (ex *Executor) now() int64 { return int64(time.Since(ex.base)) }

// drainInbox moves tasks woken or spawned from anywhere into the run queue,
// in the order they arrived.
func (ex *Executor) drainInbox() {
	if ex.inboxLen.Load() == 0 {
		return
	}
	ex.mu.Lock()
	in := ex.inbox
	ex.inbox = ex.spare[:0]
	ex.inboxLen.Store(0)
	ex.mu.Unlock()
	for _, t := range in {
		ex.runq.push(t)
	}
	clear(in)
	ex.spare = in[:0]
}

// Close drops every task that has not finished, closes every Listener and
// Stream still open, stops the worker pool (waiting for functions already
// running) and closes the poller and the user event. BlockOn calls it; call
// it yourself only for an executor you never ran. A second Close returns
// ErrClosed.
func (ex *Executor) Close() error {
	if ex.running {
		return errors.New("executor: Close called inside BlockOn")
	}
	ex.mu.Lock()
	if ex.closed {
		ex.mu.Unlock()
		return ErrClosed
	}
	ex.closed = true
	tasks := append([]*task(nil), ex.tasks...)
	ex.inbox = nil
	ex.inboxLen.Store(0)
	ex.mu.Unlock()

	// Tasks first: dropping a future may close the streams it owns.
	for _, t := range tasks {
		if t.state.Load() != stateDone {
			ex.logTask(t, "dropped")
			t.r.abort(ErrClosed)
		}
	}
	ex.mu.Lock()
	ex.tasks = nil
	ex.mu.Unlock()
	ex.runq = ring{}

	// Then whatever is still registered: deregister before close.
	var errs []error
	for _, s := range ex.slots {
		if s != nil {
			if err := s.owner.closeSource(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	ex.timers.clear()
	ex.pool.close()
	if err := ex.reg.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := ex.p.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// logTask logs a task state change at debug level.
func (ex *Executor) logTask(t *task, what string) {
	if ex.debug {
		ex.log.Debug("task "+what, "task", t.id)
	}
}
