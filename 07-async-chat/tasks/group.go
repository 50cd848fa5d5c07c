package tasks

import (
	"errors"
	"runtime/debug"
	"slices"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// ErrEmpty is what Next yields when the group has no task left to report.
var ErrEmpty = errors.New("tasks: group is empty")

// Done is one member's end, as Next reports it.
type Done struct {
	ID  uint64 // the task's id, as Spawn returned it
	Err error  // what its future returned; executor.ErrAborted if cancelled; a *executor.PanicError if it panicked
}

// Group is a set of tasks that ends together: spawn into it, wait for the
// next member or for all, cancel all. Create it with NewGroup. Set the
// options before the first Spawn.
type Group struct {
	// CancelOnError: the first member to return a non-nil error cancels
	// the others (errgroup's WithContext, done by dropping futures).
	CancelOnError bool
	// DiscardResults: do not queue Done values for Next (a server whose
	// connection tasks nobody joins one by one; without it, the queue would
	// grow with every connection ever served). Wait still works.
	DiscardResults bool

	ex       *executor.Executor
	members  []*member // live, in no particular order (member.idx)
	finished []Done    // ends not yet taken by Next, oldest first
	firstErr error     // the first error a member returned
	waiter   future.Waker
	dropped  bool
}

// NewGroup returns an empty group whose tasks run on ex.
func NewGroup(ex *executor.Executor) *Group { return &Group{ex: ex} }

// member is the future the executor runs for one task of the group: fut,
// plus the bookkeeping when it ends, however it ends.
type member struct {
	g   *Group
	fut future.Future[error] // nil once ended
	h   *executor.JoinHandle[struct{}]
	idx int // in g.members
}

// Spawn starts fut as a member of the group and returns its task id. On a
// dropped group, fut is dropped at once and the id is 0.
func (g *Group) Spawn(fut future.Future[error]) uint64 {
	if g.dropped {
		future.Drop(fut)
		return 0
	}
	m := &member{g: g, fut: fut, idx: len(g.members)}
	g.members = append(g.members, m)
	m.h = executor.Spawn(g.ex, future.Future[struct{}](m))
	return m.h.ID()
}

// Len returns how many members are still running.
func (g *Group) Len() int { return len(g.members) }

// Poll runs the member's future. A panic is recorded as the member's end,
// then passed on to the executor, which counts and logs it as for any task.
func (m *member) Poll(cx *future.Context) future.Poll[struct{}] {
	defer func() {
		if r := recover(); r != nil {
			m.end(panicError(r))
			panic(r)
		}
	}()
	p := m.fut.Poll(cx)
	if !p.IsReady() {
		return future.Pending[struct{}]()
	}
	m.end(p.Value())
	return future.PollReady(struct{}{})
}

// Drop is how cancellation arrives: the executor drops the member (Abort),
// and the member drops its future.
func (m *member) Drop() {
	if m.fut == nil {
		return
	}
	fut := m.fut
	m.fut = nil
	future.Drop(fut)
	m.end(executor.ErrAborted)
}

// end records the member's end once: out of the live set, into the queue
// for Next, the first error kept (and, with CancelOnError, the others
// cancelled), the waiter woken.
func (m *member) end(err error) {
	g := m.g
	if m.idx < 0 {
		return
	}
	last := g.members[len(g.members)-1]
	g.members[m.idx], last.idx = last, m.idx
	g.members[len(g.members)-1] = nil
	g.members = g.members[:len(g.members)-1]
	m.idx, m.fut = -1, nil
	if !g.DiscardResults {
		g.finished = append(g.finished, Done{ID: m.h.ID(), Err: err})
	}
	if err != nil && !errors.Is(err, executor.ErrAborted) && g.firstErr == nil {
		g.firstErr = err
		if g.CancelOnError {
			g.Cancel()
		}
	}
	if w := g.waiter; w != nil {
		g.waiter = nil
		w.Wake()
	}
}

// Cancel drops every running member at its next await (a member that is
// running now, because it called Cancel, when its poll returns). Each is
// reported by Next with executor.ErrAborted.
func (g *Group) Cancel() {
	// A copy: aborting a member drops it at once, and its end edits
	// g.members.
	for _, m := range slices.Clone(g.members) {
		m.h.Abort()
	}
}

// Drop cancels what is left and refuses new members. A parent that owns a
// group drops it on its way out (defer g.Drop() in a coroutine runs when
// the parent itself is dropped), so no child outlives its parent.
func (g *Group) Drop() {
	g.dropped = true
	g.Cancel()
}

// Next returns a future of the next member to end (in the order they
// ended), or of Done{Err: ErrEmpty} when none is running and none is left
// to report. It is cancel-safe: a dropped Next takes nothing from the queue.
func (g *Group) Next() future.Future[Done] {
	return future.PollFn(func(cx *future.Context) future.Poll[Done] {
		if len(g.finished) > 0 {
			d := g.finished[0]
			g.finished[0] = Done{}
			g.finished = g.finished[1:]
			return future.PollReady(d)
		}
		if len(g.members) == 0 {
			return future.PollReady(Done{Err: ErrEmpty})
		}
		g.waiter = cx.Waker() // woken by the next member's end
		return future.Pending[Done]()
	})
}

// Wait returns a future that is ready when no member is running, with the
// first error a member returned (cancelled members are not errors), or nil.
func (g *Group) Wait() future.Future[error] {
	return future.PollFn(func(cx *future.Context) future.Poll[error] {
		if len(g.members) == 0 {
			return future.PollReady(g.firstErr)
		}
		g.waiter = cx.Waker()
		return future.Pending[error]()
	})
}

// panicError makes the error a member that panicked ends with; an Async
// body's panic already carries the body's stack.
func panicError(r any) error {
	if pe, ok := r.(*future.PanicError); ok {
		return &executor.PanicError{Value: pe.Value, Stack: pe.Stack}
	}
	return &executor.PanicError{Value: r, Stack: debug.Stack()}
}
