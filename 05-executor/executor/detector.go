package executor

import (
	"runtime"
	"runtime/trace"
	"time"
	"weak"

	"github.com/async-from-scratch/course/04-futures/future"
)

// A lost waker is a future that returns pending without arranging for
// anyone to wake its task: no socket, timer, Notify or worker holds the
// task's waker. The task then sleeps forever, and the program stops without
// an error. Go has no reference counts to ask "was the waker cloned?", as
// Rust's Waker could, but its garbage collector answers a stronger
// question: "is the waker still reachable from anywhere?".
//
// With Options.DetectLostWakers, each task's future is polled with a
// waker of its own, a wakeProbe, that the detector holds only weakly. A
// future that stores the waker (in the token table, the timer heap, a
// JoinHandle, a Notify, a channel a goroutine waits on...) keeps the probe
// alive. Before the loop waits, the detector collects garbage once and
// looks at every task that went idle since the last check: if the task is
// still idle and its probe was collected, no waker of it exists anywhere,
// and the detector logs a warning naming the task, its spawn site and its
// future's type.
//
// The detector is off by default. Off, it costs a nil check per poll
// (BenchmarkLostWakerDetector). On, it costs a GC each time the loop is
// about to wait after a task went idle: a debugging tool, not one for
// production.
//
// It cannot see a waker that is stored but will never be called (a future
// that keeps its own waker in a field and forgets it): that waker is
// reachable, so the task looks fine.

// wakeProbe is the waker a task's future sees while the detector is on. It
// wakes the task; the loop's own wakes unwrap it (probedTask) and take the
// fast path.
type wakeProbe struct{ t *task }

func (p *wakeProbe) Wake() { p.t.Wake() }

// lostWakerDetector is the detector's state. Loop goroutine only.
type lostWakerDetector struct {
	probes map[*task]weak.Pointer[wakeProbe] // the probe each task was last polled with
	idle   []*task                           // tasks that went idle since the last check
	checks int                               // how many times it looked
}

func newLostWakerDetector() *lostWakerDetector {
	return &lostWakerDetector{probes: map[*task]weak.Pointer[wakeProbe]{}}
}

// poll polls t's future with t's probe as the waker. A probe that is still
// alive is reused, so a future that kept the waker of an earlier poll (and
// compares it with ==) sees the same one.
func (d *lostWakerDetector) poll(t *task) bool {
	p := d.probes[t].Value()
	if p == nil {
		p = &wakeProbe{t: t}
		d.probes[t] = weak.Make(p)
	}
	saved := t.cx
	t.cx = *future.NewContext(p)
	var done bool
	if tr := t.ex.traceOf(t); tr != nil { // runtime/trace on too: the same region as runTask's
		trace.WithRegion(tr.ctx, "executor.poll", func() { done = t.r.poll() })
	} else {
		done = t.r.poll()
	}
	t.cx = saved // the task itself must not keep the probe alive
	return done
}

// wentIdle notes that t's poll returned pending with no wake during it.
// On a nil detector (the option is off) it does nothing.
func (d *lostWakerDetector) wentIdle(t *task) {
	if d != nil {
		d.idle = append(d.idle, t)
	}
}

// check runs when the loop is about to wait up to timeout (0: it will not
// wait). It reports every task that went idle since the last check and
// whose probe is gone. On a nil detector it does nothing.
func (d *lostWakerDetector) check(ex *Executor, timeout time.Duration) {
	if d != nil && timeout != 0 && len(d.idle) > 0 { // small enough to inline: off, it costs a nil check
		d.checkIdle(ex)
	}
}

func (d *lostWakerDetector) checkIdle(ex *Executor) {
	runtime.GC() // clears the weak pointer of every probe nothing refers to
	for i, t := range d.idle {
		d.idle[i] = nil
		if t.state.Load() == stateIdle && d.probes[t].Value() == nil {
			ex.stats.LostWakers++
			ex.log.Warn("lost waker: a task returned pending, and no waker of it is stored anywhere",
				"task", t.id, "spawned", siteString(ex.siteOf(t)), "future", t.futureType())
		}
	}
	d.idle = d.idle[:0]
	d.checks++
	for t := range d.probes {
		if t.state.Load() == stateDone {
			delete(d.probes, t)
		}
	}
}

// probedTask returns the task behind a probe of ex, or nil.
func (ex *Executor) probedTask(w future.Waker) *task {
	if p, ok := w.(*wakeProbe); ok && p.t.ex == ex {
		return p.t
	}
	return nil
}
