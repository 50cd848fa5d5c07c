package main

import (
	"fmt"
)

// runCallback is the blog's callback file system with the simplest possible
// executor: a goroutine that blocks on a channel until the worker sends it
// the next callback to run. It prints a file that exists and tries one that
// does not; the second error travels through the callbacks to the caller.
func runCallback(cfg config) error {
	root, cleanup, err := demoFiles()
	if err != nil {
		return err
	}
	defer cleanup()

	results := make(chan func()) // worker -> executor: callbacks to run
	quit := make(chan struct{})  // closed if the executor gives up early
	fsys := newFileSystem(root, func(cb func()) {
		select {
		case results <- cb:
		case <-quit: // nobody will run it; do not block the worker forever
		}
	})
	defer fsys.stop()
	defer close(quit)

	// The executor goroutine: start the work, then run callbacks as they
	// come until none is in flight.
	done := make(chan error, 1)
	go func() {
		for _, name := range []string{"hello.txt", "missing.txt"} {
			catFile(fsys, name, func(text string, err error) {
				if err != nil {
					fmt.Fprintf(cfg.out, "cat %s: error: %v\n", name, err)
					return
				}
				fmt.Fprintf(cfg.out, "cat %s: %q\n", name, text)
			})
		}
		for fsys.inflight > 0 {
			cb := <-results // the executor sleeps here, in the Go scheduler
			cb()
			fsys.ran()
		}
		done <- nil
	}()
	return <-done
}
