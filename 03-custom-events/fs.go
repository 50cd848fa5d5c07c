package main

import (
	"io"
	"os"
	"sync"
)

// fileSystem is the blog's callback file system. Every operation takes a
// callback; the blocking system call runs on one I/O worker goroutine, and
// the callback, bound to its result, is handed back to the executor through
// deliver. The executor is the only goroutine that runs callbacks, so
// callbacks never race with each other. How deliver reaches the executor is
// what the callback and poll demos do differently: a channel, or a queue
// plus a user event.
type fileSystem struct {
	root    *os.Root     // every name is opened inside this folder
	jobs    jobQueue     // blocking work for the worker, in order
	deliver func(func()) // hands a finished callback to the executor; any goroutine
	worker  sync.WaitGroup

	// inflight counts operations whose callback has not run yet. Only the
	// executor touches it: operations start from the executor (its first
	// function, or a callback) and callbacks run on it.
	inflight int
}

// newFileSystem starts the I/O worker. Call stop when done.
func newFileSystem(root *os.Root, deliver func(func())) *fileSystem {
	fsys := &fileSystem{root: root, deliver: deliver}
	fsys.jobs.cond.L = &fsys.jobs.mu
	fsys.worker.Go(func() {
		for {
			job, ok := fsys.jobs.pop()
			if !ok {
				return
			}
			job()
		}
	})
	return fsys
}

// stop lets the worker finish the queued jobs and waits for it to exit.
func (fsys *fileSystem) stop() {
	fsys.jobs.close()
	fsys.worker.Wait()
}

// submit runs blocking on the worker; its result comes back as a callback.
func (fsys *fileSystem) submit(blocking func() (callback func())) {
	fsys.inflight++
	fsys.jobs.push(func() { fsys.deliver(blocking()) })
}

// ran is called by the executor after it ran a delivered callback.
func (fsys *fileSystem) ran() { fsys.inflight-- }

// Open opens name inside the root, then calls cb on the executor.
func (fsys *fileSystem) Open(name string, cb func(*os.File, error)) {
	fsys.submit(func() func() {
		f, err := fsys.root.Open(name) // blocks: a disk, a network file system
		return func() { cb(f, err) }
	})
}

// ReadToString reads f to the end, then calls cb on the executor.
func (fsys *fileSystem) ReadToString(f *os.File, cb func(string, error)) {
	fsys.submit(func() func() {
		b, err := io.ReadAll(f) // blocks
		return func() { cb(string(b), err) }
	})
}

// Close closes f, then calls cb on the executor.
func (fsys *fileSystem) Close(f *os.File, cb func(error)) {
	fsys.submit(func() func() {
		err := f.Close()
		return func() { cb(err) }
	})
}

// catFile is the blog's callback chain: open, read to a string, close, and
// hand the text (or the first error) to done. Every level has its own error
// branch, and the error has to be carried to done by hand. Forget one
// branch and the caller waits forever; that is "callback is evil".
func catFile(fsys *fileSystem, name string, done func(string, error)) {
	fsys.Open(name, func(f *os.File, err error) {
		if err != nil {
			done("", err)
			return
		}
		fsys.ReadToString(f, func(text string, err error) {
			fsys.Close(f, func(cerr error) {
				if err == nil {
					err = cerr
				}
				if err != nil {
					done("", err)
					return
				}
				done(text, nil)
			})
		})
	})
}

// jobQueue is an unbounded FIFO of jobs for the worker. Unbounded, so that
// the executor never blocks when it submits: a bounded channel would let the
// executor wait on the worker while the worker waits on the executor to take
// a result.
type jobQueue struct {
	mu     sync.Mutex
	cond   sync.Cond // signalled when jobs grows or closed is set; L is &mu
	jobs   []func()  // guarded by mu
	closed bool      // guarded by mu
}

func (q *jobQueue) push(job func()) {
	q.mu.Lock()
	q.jobs = append(q.jobs, job)
	q.mu.Unlock()
	q.cond.Signal()
}

// pop waits for a job; ok is false once the queue is closed and empty.
func (q *jobQueue) pop() (job func(), ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.jobs) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.jobs) == 0 {
		return nil, false
	}
	job = q.jobs[0]
	q.jobs = q.jobs[1:]
	return job, true
}

func (q *jobQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// demoFiles makes a temporary folder with the demo's one file and opens it
// as a root. cleanup closes the root and removes the folder.
func demoFiles() (root *os.Root, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "03-custom-events-")
	if err != nil {
		return nil, nil, err
	}
	remove := func() { os.RemoveAll(dir) }
	if err := os.WriteFile(dir+"/hello.txt", []byte(helloText), 0o644); err != nil {
		remove()
		return nil, nil, err
	}
	root, err = os.OpenRoot(dir)
	if err != nil {
		remove()
		return nil, nil, err
	}
	return root, func() { root.Close(); remove() }, nil
}

// helloText is the content of the demo's hello.txt.
const helloText = "Hello from the I/O worker!\n"
