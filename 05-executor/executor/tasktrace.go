package executor

import (
	"context"
	"runtime/trace"
	"sync/atomic"
)

// traceTable holds the runtime/trace task of every task spawned while
// tracing was on. It is a side table, not a field of task, so that the
// tasks of a program that is not traced (all of them, almost always) carry
// no pointer for it.
type traceTable struct {
	n atomic.Int32         // len(m): runTask looks in m only when it is not 0
	m map[*task]*traceTask // guarded by ex.mu
}

type traceTask struct {
	ctx  context.Context
	task *trace.Task
}

// traceStart begins t's trace task if tracing is on. ex.mu is held.
func (ex *Executor) traceStart(t *task) {
	if !trace.IsEnabled() {
		return
	}
	ctx, tt := trace.NewTask(context.Background(), "executor.task")
	if ex.traces.m == nil {
		ex.traces.m = map[*task]*traceTask{}
	}
	ex.traces.m[t] = &traceTask{ctx: ctx, task: tt}
	ex.traces.n.Store(int32(len(ex.traces.m)))
}

// traceEnd ends t's trace task, if it has one. ex.mu is held.
func (ex *Executor) traceEnd(t *task) {
	if ex.traces.n.Load() == 0 {
		return
	}
	if tr := ex.traces.m[t]; tr != nil {
		tr.task.End()
		delete(ex.traces.m, t)
		ex.traces.n.Store(int32(len(ex.traces.m)))
	}
}

// traceOf returns t's trace task, or nil: one load and one branch when no
// task is traced.
func (ex *Executor) traceOf(t *task) *traceTask {
	if ex.traces.n.Load() == 0 {
		return nil
	}
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return ex.traces.m[t]
}
