package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/async-from-scratch/course/04-futures/driver"
	"github.com/async-from-scratch/course/04-futures/future"
)

// readResult is what a file read yields: Rust's io::Result<Vec<u8>>.
type readResult struct {
	data []byte
	err  error
}

// readFileFuture reads a file without blocking its poller: the first poll
// hands the read to a worker goroutine (file I/O blocks, so it must not run on
// the loop) and returns pending; the worker stores the result and calls the
// waker. It is the blog's file-I/O worker from stage 03, now behind a Future.
type readFileFuture struct {
	path    string
	log     *slog.Logger
	say     func(format string, args ...any)
	started bool // the worker was started (only the poller touches it)
	polls   int  // how many times we were polled (only the poller touches it)

	slot future.WakerSlot // the latest pending poll's waker, for the worker

	mu     sync.Mutex // guards done and result, shared with the worker
	done   bool
	result readResult
}

func (f *readFileFuture) Poll(cx *future.Context) future.Poll[readResult] {
	f.polls++
	if !f.started {
		f.started = true
		f.say("poll %d: handing the read to a worker goroutine", f.polls)
		go f.work()
	}
	// Store the latest waker first, then check: a worker that finishes in
	// between finds the new waker, one that finished before is seen below.
	f.slot.Register(cx.Waker())
	f.mu.Lock()
	done, result := f.done, f.result
	f.mu.Unlock()
	if !done {
		f.log.Debug("readFile: still reading", "poll", f.polls)
		return future.Pending[readResult]()
	}
	f.say("poll %d: the worker's result is here", f.polls)
	return future.PollReady(result)
}

// work runs on the worker goroutine.
func (f *readFileFuture) work() {
	data, err := os.ReadFile(f.path)
	f.say("worker: read %d bytes from %s; waking the future", len(data), filepath.Base(f.path))
	f.mu.Lock()
	f.done, f.result = true, readResult{data, err}
	f.mu.Unlock()
	f.slot.Wake() // BlockOn's waker: SetReadiness.Set on the user event it sleeps on
}

func runBlockOn(out io.Writer, log *slog.Logger) error {
	dir, err := os.MkdirTemp("", "04-futures-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hello.txt")
	if err := os.WriteFile(path, []byte("hello from a worker goroutine\nsecond line\n"), 0o600); err != nil {
		return err
	}

	var mu sync.Mutex // the poller and the worker both narrate
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", args...)
	}
	read := &readFileFuture{path: path, log: log, say: say}
	fut := future.Async(func(co *future.Co) int {
		res := future.Await(co, read)
		if res.err != nil {
			say("read failed: %v", res.err)
			return -1
		}
		return strings.Count(string(res.data), "\n")
	})
	lines, err := driver.BlockOn(fut)
	if err != nil {
		return err
	}
	if lines < 0 {
		return fmt.Errorf("reading %s failed", filepath.Base(path))
	}
	say("BlockOn returned %d lines after %d polls of the read (it slept in Poll in between)", lines, read.polls)
	return nil
}
