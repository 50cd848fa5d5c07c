package echo

import (
	"errors"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// writeAll is st.WriteAll, and with Config.Idle set it fails with errIdle
// once no byte has gone out for that long. Idle means no progress, not a
// slow write: a client that reads slowly but steadily is served for as long
// as it takes, one that stops reading is closed. (A Timeout around the whole
// WriteAll would cut off the slow reader too.)
func (s *Server) writeAll(st *executor.Stream, p []byte) future.Future[executor.Result[int]] {
	if s.cfg.Idle <= 0 {
		return st.WriteAll(p)
	}
	return &idleWrite{ex: s.ex, st: st, p: p, idle: s.cfg.Idle}
}

// idleWrite is writeAll's future when there is an idle timeout.
type idleWrite struct {
	ex    *executor.Executor
	st    *executor.Stream
	p     []byte
	n     int // bytes written so far
	idle  time.Duration
	timer *executor.Timer // nil until the first write that has to wait
}

func (w *idleWrite) Poll(cx *future.Context) future.Poll[executor.Result[int]] {
	for w.n < len(w.p) {
		n, err := w.st.PollWrite(cx, w.p[w.n:])
		w.n += n
		if n > 0 && w.timer != nil {
			w.timer.Reset(w.idle) // progress: the deadline moves
		}
		switch {
		case errors.Is(err, executor.ErrPending):
			if w.timer == nil {
				w.timer = w.ex.NewTimer(w.idle)
			}
			if w.timer.Poll(cx).IsReady() {
				return w.done(errIdle)
			}
			// Two wakers are stored now: the reactor's for writable, the
			// timer's for the deadline. Whichever comes first polls again.
			return future.Pending[executor.Result[int]]()
		case err != nil:
			return w.done(err)
		}
	}
	return w.done(nil)
}

func (w *idleWrite) done(err error) future.Poll[executor.Result[int]] {
	w.Drop()
	return future.PollReady(executor.Result[int]{Value: w.n, Err: err})
}

// Drop stops the timer, so that an abandoned write leaves nothing in the
// executor's timer heap.
func (w *idleWrite) Drop() {
	if w.timer != nil {
		w.timer.Stop()
	}
}
