package poll

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Forever, as a Poll timeout, waits until an event arrives. Any negative
// timeout means the same.
const Forever time.Duration = -1

// ErrClosed is returned (wrapped or as is) by every method of a Poll after
// Close: errors.Is(err, poll.ErrClosed).
var ErrClosed = errors.New("poll: use of closed Poll")

// Source is anything with a file descriptor: a tcp.Listener, a tcp.Stream,
// stage 03's user event, a pipe.
type Source interface {
	Fd() int
}

// registration is what the registry remembers about one descriptor.
type registration struct {
	tok      Token
	interest Interest
	mode     Mode
}

// Poll waits for readiness on registered sources. Create one with New.
//
// Register, Reregister and Deregister may be called from any goroutine, also
// while another goroutine is inside Poll. Only one goroutine calls Poll at a
// time, and Close is called when nobody is inside Poll.
type Poll struct {
	fd     int         // epoll or kqueue descriptor; set by New, closed by Close
	closed atomic.Bool // set by Close; read without the lock by Poll

	mu   sync.Mutex           // guards regs and the backend's maps
	regs map[int]registration // fd -> what it was registered with

	//lint:ignore U1000 empty on Linux, where the kernel keeps all the state
	backend // the OS-specific part: poll_epoll.go or poll_kqueue.go
}

// New creates a Poll: epoll_create1(EPOLL_CLOEXEC) on Linux, kqueue() on
// macOS and FreeBSD.
func New() (*Poll, error) {
	fd, err := openPoller()
	if err != nil {
		return nil, err
	}
	p := &Poll{fd: fd, regs: make(map[int]registration)}
	p.initBackend()
	return p, nil
}

// Register starts watching src for the given interest and reports it with
// tok. Registering a descriptor that is already registered fails with EEXIST;
// a closed descriptor fails with EBADF.
func (p *Poll) Register(src Source, tok Token, interest Interest, mode Mode) error {
	if err := check(interest, mode); err != nil {
		return err
	}
	fd := src.Fd()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	reg := registration{tok: tok, interest: interest, mode: mode}
	if err := p.ctlAdd(fd, reg); err != nil {
		return err
	}
	p.regs[fd] = reg
	return nil
}

// Reregister changes the token, interest or mode of a registered source. It
// is also how a Oneshot source is re-armed. If the source is ready right now
// it is reported again, in every mode. A descriptor that was never
// registered fails with ENOENT.
func (p *Poll) Reregister(src Source, tok Token, interest Interest, mode Mode) error {
	if err := check(interest, mode); err != nil {
		return err
	}
	fd := src.Fd()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	old, known := p.regs[fd]
	reg := registration{tok: tok, interest: interest, mode: mode}
	if err := p.ctlMod(fd, old, known, reg); err != nil {
		return err
	}
	p.regs[fd] = reg
	return nil
}

// Deregister stops watching src. Call it before closing the descriptor. A
// descriptor that was never registered fails with ENOENT. The registry
// forgets the descriptor even when the kernel reports an error (for example
// EBADF because it was closed first), so the number can be registered again.
func (p *Poll) Deregister(src Source) error {
	fd := src.Fd()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	old, known := p.regs[fd]
	delete(p.regs, fd)
	return p.ctlDel(fd, old, known)
}

// Poll waits until at least one registered source is ready or the timeout
// passes, fills events, and returns how many it holds: one Event per ready
// source. A zero timeout checks and returns at once; a negative one
// (Forever) waits as long as it takes. Timeouts are rounded up to whole
// milliseconds, so a short wait never becomes a busy loop. A signal
// interrupting the wait (EINTR) is retried here with the time that is left;
// the caller never sees it. So no events means the timeout passed.
func (p *Poll) Poll(events *Events, timeout time.Duration) (int, error) {
	if events == nil || events.Cap() == 0 {
		return 0, fmt.Errorf("poll: Events with zero capacity: %w", unix.EINVAL)
	}
	events.list = events.list[:0]
	if p.closed.Load() {
		return 0, ErrClosed
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		// The time left is recomputed for every call: an EINTR must not
		// restart the whole timeout.
		n, err := ignoringEINTR(func() (int, error) {
			return p.wait(events.raw, millisecondsLeft(timeout, deadline))
		})
		if err != nil {
			if p.closed.Load() {
				return 0, ErrClosed
			}
			return 0, os.NewSyscallError(waitCall, err)
		}
		p.mu.Lock()
		events.list = events.list[:p.translate(events.raw[:n], events.list[:cap(events.list)])]
		p.mu.Unlock()
		if len(events.list) > 0 || n == 0 || millisecondsLeft(timeout, deadline) == 0 {
			return len(events.list), nil
		}
		// The kernel reported records, but translate dropped them all (the
		// kqueue backend drops stale ones): not an answer, wait again.
	}
}

// millisecondsLeft is the wait's timeout for the kernel: -1 (forever) for a
// negative timeout, otherwise the time left until deadline, rounded up to
// whole milliseconds (0 once it has passed, and for a zero timeout).
func millisecondsLeft(timeout time.Duration, deadline time.Time) int {
	switch {
	case timeout < 0:
		return -1
	case timeout == 0:
		return 0
	}
	return millisecondsCeil(time.Until(deadline))
}

// Close releases the poller's descriptor. Registered descriptors stay open;
// they belong to the caller. A second Close returns ErrClosed.
func (p *Poll) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Swap(true) {
		return ErrClosed
	}
	clear(p.regs)
	// NOTE: close is not retried on EINTR. On Linux the descriptor is
	// released even when close reports EINTR, and retrying could close a
	// descriptor another goroutine just opened with the same number (the
	// same reasoning as internal/poll's comment on close).
	return os.NewSyscallError("close", unix.Close(p.fd))
}

// check validates the arguments every Register and Reregister share.
func check(interest Interest, mode Mode) error {
	if interest == 0 || interest&^(Readable|Writable) != 0 {
		return fmt.Errorf("poll: interest %v: want Readable, Writable or both: %w", interest, unix.EINVAL)
	}
	if mode > Oneshot {
		return fmt.Errorf("poll: unknown %v: %w", mode, unix.EINVAL)
	}
	return nil
}

// ignoringEINTR calls f until it returns something other than EINTR. A
// signal delivered to the thread blocked in epoll_wait or kevent makes the
// call fail with EINTR; that is not an error, just an early return. This is
// the only place in the package that retries (internal/poll has the same
// helper for the same reason).
func ignoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}

// millisecondsCeil converts a positive duration to whole milliseconds,
// rounding up so that 100µs waits 1ms instead of returning at once.
func millisecondsCeil(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	if ms > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(ms)
}

// testHookAfterWait, if set by a test, runs in wait just after the kernel
// returned its records and before translate looks at them: the moment
// another goroutine's Deregister and Register can slip in.
var testHookAfterWait func()

// runTestHookAfterWait runs testHookAfterWait if a test installed one; in
// the real program it does nothing.
func runTestHookAfterWait() {
	if testHookAfterWait != nil {
		testHookAfterWait()
	}
}
