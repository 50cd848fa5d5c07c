package executor

import (
	"bytes"
	"runtime/trace"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
)

func TestNotifyFromAnotherGoroutine(t *testing.T) {
	ex := newExecutor(t, Options{})
	var stop Notify
	go func() {
		time.Sleep(5 * time.Millisecond)
		stop.Notify()
	}()
	got := blockOn(t, ex, async(func(co *future.Co) bool {
		await(co, &stop)
		return stop.Notified()
	}))
	if !got {
		t.Error("Notified() = false after the future was ready")
	}
}

// With runtime/trace on, every task is a trace task and every poll a
// region; this checks that the path runs and produces a trace.
func TestRuntimeTrace(t *testing.T) {
	if trace.IsEnabled() {
		t.Skip("a trace is already running")
	}
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Skip(err)
	}
	ex := newExecutor(t, Options{})
	blockOn(t, ex, async(func(co *future.Co) int {
		return await(co, Spawn(ex, future.Ready(1))).Value
	}))
	trace.Stop()
	if !bytes.Contains(buf.Bytes(), []byte("executor.task")) {
		t.Error("the trace has no executor.task")
	}
}
