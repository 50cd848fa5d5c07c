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

// A Notify that lands between Poll's first check and Register finds no
// waker to wake; Poll's second check must see it, or the task sleeps
// forever. The test seam puts the Notify (from another goroutine) exactly
// there.
func TestNotifyInTheRegisterWindow(t *testing.T) {
	var n Notify
	notifyBeforeRegister = func() {
		done := make(chan struct{})
		go func() { n.Notify(); close(done) }()
		<-done
	}
	defer func() { notifyBeforeRegister = func() {} }()
	woken := &wakeCounter{}
	if !n.Poll(future.NewContext(woken)).IsReady() && woken.n.Load() == 0 {
		t.Error("lost wakeup: Notify.Poll returned pending after a Notify that ran before it registered its waker, and nothing will wake it (register, then check again)")
	}
}

// With runtime/trace on, every task is a trace task ("executor.task") and
// every poll a region ("executor.poll"): both names must be in the trace.
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
	for _, name := range []string{"executor.task", "executor.poll"} { // the task, the region of each poll
		if !bytes.Contains(buf.Bytes(), []byte(name)) {
			t.Errorf("the trace has no %s", name)
		}
	}
}

// Spawn is safe from any goroutine: a task spawned by another goroutine
// while the loop sleeps in Poll wakes it and runs.
func TestSpawnFromAnotherGoroutine(t *testing.T) {
	ex := newExecutor(t, Options{})
	var ran Notify
	go func() {
		time.Sleep(5 * time.Millisecond) // the loop is asleep by now
		Spawn(ex, future.PollFn(func(*future.Context) future.Poll[int] {
			ran.Notify()
			return future.PollReady(1)
		}))
	}()
	got := blockOn(t, ex, async(func(co *future.Co) bool {
		await(co, &ran)
		return true
	}))
	if !got {
		t.Error("the task spawned from another goroutine did not run")
	}
}
