package loop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/08-io-uring/uring"
)

// Options tune a Loop. The zero value is fine.
type Options struct {
	Entries    uint32 // submission ring size; 0 means 4096
	Buffers    int    // provided buffers (a power of two); 0 means 1024
	BufferSize int    // bytes each; 0 means 4096

	// Logger, at debug level (LOG_LEVEL=debug in the program), gets a
	// record for every io_uring_enter and every CQE. nil discards.
	Logger *slog.Logger

	// CoopTaskrun sets the ring up as kernels before 6.1 must: completion
	// work runs whenever the submitting thread enters the kernel for any
	// reason, not only in io_uring_enter. Work may then run between a
	// future's drop and the kernel's sight of the cancel, which the
	// ownership tests need to show.
	CoopTaskrun bool

	// Poison, if not 0, is written over every provided buffer as it goes
	// back to the kernel. Like a debugging allocator's poisoned frees, it
	// makes a buffer used after its release show: whoever still sends
	// from it sends poison. The ownership tests set it.
	Poison byte
}

// Stats counts what the loop did.
type Stats struct {
	Turns       uint64 // loop iterations
	Enters      uint64 // io_uring_enter calls (one per turn, plus one per full SQ)
	Submitted   uint64 // SQEs consumed by the kernel
	Completions uint64 // CQEs reaped
	Cancels     uint64 // ASYNC_CANCEL submitted for dropped operations
	Orphans     uint64 // CQEs of operations whose future was dropped
	Stale       uint64 // CQEs whose generation was old (never expected)
	Polls       uint64 // task polls
	Wakes       uint64 // wakes that queued a task (its spawn included)
	Wakeups     uint64 // eventfd wakes from other goroutines
	BuffersHeld int    // provided buffers taken by CQEs and not yet given back
}

// Loop is an executor on one io_uring. Create it with New, run it with Run.
// Everything but Spawn and wakers belongs to the goroutine running Run.
type Loop struct {
	ring *uring.Ring
	bufs *uring.BufRing // provided buffers for Recv

	ops     []*op    // the operation table: user_data's low 32 bits index it
	freeOps []uint32 // free slots
	live    int      // operations started and not yet freed

	bufWaiters []future.Waker // Recvs that found no provided buffer free

	runq     []*task // tasks to poll this turn (loop goroutine only)
	tasks    []*task // unfinished tasks; task.index is a task's place here
	enabled  bool    // the ring was enabled (SetupRDisabled) on Run's thread
	stopping bool    // shutdown began: the wake read is not armed again
	closed   bool

	mu       sync.Mutex // guards woken and sleeping
	woken    []*task    // tasks woken since the loop last looked
	sleeping bool       // the loop is (about to be) asleep in Enter

	wakeFd  int     // eventfd: another goroutine's wake, as a completion
	wakeBuf [8]byte // the eventfd read's buffer: the kernel's while it is in flight
	wakeOp  *op

	wakeups atomic.Uint64 // Stats.Wakeups, counted by other goroutines

	// The task dump (dump_linux.go). dumpReq and running are guarded by mu.
	dumpReq *dumpRequest
	running bool      // Run is between its start and its shutdown
	spawned uint32    // tasks ever added: the last one's id
	polling *task     // the task being polled
	root    *task     // Run's task, whose future is a Map of rootFut
	rootFut string    // the type of the future given to Run
	turnMS  uint32    // the loop's clock, read once per sleep (see tickClock)
	clockAt time.Time // the clock's zero

	poison byte         // Options.Poison
	log    *slog.Logger // Options.Logger, only when it logs debug records
	stats  Stats
}

// New sets up the ring, the provided buffers and the wake eventfd.
// The error wraps uring.ErrUnavailable where io_uring cannot be used.
func New(opts Options) (*Loop, error) {
	if opts.Entries == 0 {
		opts.Entries = 4096
	}
	if opts.Buffers == 0 {
		opts.Buffers = 1024 // 4 MiB in all, whatever the number of connections
	}
	if opts.BufferSize == 0 {
		opts.BufferSize = 4096
	}
	ring, err := newRing(opts)
	if err != nil {
		return nil, err
	}
	l := &Loop{ring: ring, poison: opts.Poison, clockAt: time.Now()}
	if opts.Logger != nil && opts.Logger.Enabled(context.Background(), slog.LevelDebug) {
		l.log = opts.Logger
	}
	if l.bufs, err = uring.NewBufRing(ring, 0, opts.Buffers, opts.BufferSize); err != nil {
		ring.Close()
		return nil, fmt.Errorf("%w: provided-buffer rings need kernel 5.19 or later: %w", uring.ErrUnavailable, err)
	}
	l.wakeFd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		l.bufs.Close()
		ring.Close()
		return nil, os.NewSyscallError("eventfd", err)
	}
	l.armWake()
	return l, nil
}

// newRing sets up the ring with completion work deferred to our own
// io_uring_enter calls, from one thread (kernel 6.1 and later): the kernel
// batches that work and wakes the loop less often. The ring starts disabled,
// so that the thread Run locks itself to, not the one calling New, becomes
// its single issuer. Older kernels (EINVAL) get the flags they know.
func newRing(opts Options) (*uring.Ring, error) {
	const common = uring.SetupSubmitAll | uring.SetupClamp
	tries := []uint32{
		uring.SetupRDisabled | uring.SetupSingleIssuer | uring.SetupDeferTaskrun | common,
		uring.SetupCoopTaskrun | common, // 5.19 and 6.0
		0,                               // older still
	}
	if opts.CoopTaskrun {
		tries = tries[1:]
	}
	for _, flags := range tries {
		r, err := uring.New(opts.Entries, flags)
		if !errors.Is(err, unix.EINVAL) {
			return r, err
		}
	}
	return nil, fmt.Errorf("%w: io_uring_setup refused every set of flags", uring.ErrUnavailable)
}

// armWake keeps a read of the eventfd in flight: a Wake from another
// goroutine writes the eventfd, the read completes, and the CQE ends the
// loop's sleep in Enter.
func (l *Loop) armWake() {
	l.wakeOp = l.start(func(s *uring.SQE, ud uint64) { s.PrepRead(l.wakeFd, l.wakeBuf[:], 0, ud) })
}

// ErrClosed is returned by Run on a loop that already ran or was closed.
var ErrClosed = errors.New("loop: closed")

// Run polls fut and every spawned task until fut is ready, then drops the
// tasks that have not finished, waits for the CQE of every operation still in
// flight (their buffers are the kernel's until then), and closes the loop.
// Call it once.
func Run[T any](l *Loop, fut future.Future[T]) (T, error) {
	var zero T
	if l.closed {
		return zero, ErrClosed
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	initRuntimePoller()
	if err := l.enable(); err != nil {
		return zero, errors.Join(err, l.close())
	}
	var result T
	var done bool
	root := &task{l: l, site: spawnSite()}
	root.fut = future.Map(fut, func(v T) struct{} { result, done = v, true; return struct{}{} })
	l.addTask(root)
	root.Wake()
	l.root, l.rootFut = root, fmt.Sprintf("%T", fut)
	l.startDumps()
	for {
		l.runTasks()
		if done {
			break
		}
		if err := l.submitAndReap(); err != nil {
			return zero, errors.Join(err, l.shutdown())
		}
	}
	return result, l.shutdown()
}

// maxTasksPerTurn bounds the polls between two looks at the ring, so
// completions are reaped even while tasks keep waking each other.
const maxTasksPerTurn = 256

// runTasks polls the tasks woken since the last turn (at most
// maxTasksPerTurn; the rest wait for the next turn).
func (l *Loop) runTasks() {
	l.stats.Turns++
	l.mu.Lock()
	l.stats.Wakes += uint64(len(l.woken))
	l.runq = append(l.runq, l.woken...)
	clear(l.woken)
	l.woken = l.woken[:0]
	dump := l.dumpReq
	l.dumpReq = nil
	l.mu.Unlock()
	if dump != nil {
		dump.answer(l)
	}

	n := min(len(l.runq), maxTasksPerTurn)
	for _, t := range l.runq[:n] {
		t.run()
	}
	l.runq = append(l.runq[:0], l.runq[n:]...)
}

// submitAndReap is the turn's one io_uring_enter: it submits every SQE the
// tasks queued and, if no task is ready to run, sleeps until a CQE comes.
// Then it reaps every CQE there is.
func (l *Loop) submitAndReap() error {
	// Sleep only if nothing is ready: the sleeping flag, set under the lock
	// a waker takes, tells a Wake from another goroutine that it must write
	// the eventfd (lost-wakeup rule: decide to sleep and publish it in one
	// step).
	var wait uint32
	l.mu.Lock()
	if len(l.runq) == 0 && len(l.woken) == 0 && l.dumpReq == nil {
		wait = 1
		l.sleeping = true
	}
	l.mu.Unlock()
	err := l.enter(wait)
	l.tickClock(wait)
	if wait == 1 {
		l.mu.Lock()
		l.sleeping = false
		l.mu.Unlock()
	}
	if err != nil {
		return err
	}
	l.reap()
	return nil
}

// enter submits what is queued and, with wait 1, sleeps until a CQE comes.
func (l *Loop) enter(wait uint32) error {
	l.stats.Enters++
	n, err := l.ring.Enter(wait)
	l.stats.Submitted += uint64(n)
	if l.log != nil {
		l.log.Debug("io_uring_enter", "submitted", n, "wait", wait, "err", err)
	}
	return err
}

// Stats returns the loop's counters (loop goroutine, or after Run).
func (l *Loop) Stats() Stats {
	st := l.stats
	st.Wakeups = l.wakeups.Load()
	return st
}

// shutdown drops every unfinished task (their operations are cancelled),
// waits for every CQE, and closes the buffers, the eventfd and the ring.
// Its caller has locked the thread: Run, or Close. (Locking it again here
// would break the drop of a future.Async task, whose coroutine wants the
// lock count it was made with.)
func (l *Loop) shutdown() error {
	l.stopDumps() // before the eventfd closes: Dump writes it
	l.stopping = true
	for len(l.tasks) > 0 {
		l.tasks[len(l.tasks)-1].drop()
	}
	if w := l.wakeOp; w != nil {
		w.state = opOrphaned
		l.sqe().PrepCancel(w.userData(), ignoreUserData)
	}
	// Every operation now completes or is cancelled; wait for all of them.
	for l.live > 0 {
		if err := l.enter(1); err != nil {
			return err
		}
		l.reap()
	}
	return l.close()
}

// Close releases a loop that never ran (Run closes its loop itself).
func (l *Loop) Close() error {
	if l.closed {
		return ErrClosed
	}
	if l.ring.Params().Flags&uring.SetupRDisabled != 0 && !l.enabled {
		return l.close() // nothing was ever submitted
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return l.shutdown()
}

// enable starts a ring that New set up disabled, making the calling
// (locked) thread its single issuer.
func (l *Loop) enable() error {
	if l.enabled || l.ring.Params().Flags&uring.SetupRDisabled == 0 {
		return nil
	}
	l.enabled = true
	return l.ring.Enable()
}

func (l *Loop) close() error {
	l.closed = true
	return errors.Join(l.bufs.Close(), unix.Close(l.wakeFd), l.ring.Close())
}

// initRuntimePoller arms and stops a Go timer, so that the runtime creates
// its own epoll descriptor now, not at its first timer, which might come
// while accept fails with EMFILE; see stage 05's function of the same name.
func initRuntimePoller() {
	time.AfterFunc(time.Hour, func() {}).Stop()
}
