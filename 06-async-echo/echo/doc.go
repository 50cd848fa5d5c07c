// Package echo is the course's finale: the blog's echo server and its
// afterword's file server, as tasks on stage 05's executor, correct under real
// clients.
//
//	ex, _ := executor.New(executor.Options{})
//	srv, _ := echo.Listen(ex, echo.Config{Addr: "127.0.0.1:7878"})
//	executor.BlockOn(ex, srv.Serve(&stop))
//
// Serve is the root future: an accept loop, written as a coroutine that
// reads like the blog's async block, spawning one task per connection.
//
// # Two styles of connection handler
//
// StyleMachine (the default) is a hand-written state machine: a struct with
// a Poll method, what a Rust compiler makes of an async fn. Waiting for a
// read, it holds the Stream, a few flags and a nil slice; reads go into one
// buffer shared by every connection of the server, and are written back at
// once. Only what a short write leaves over is copied into a buffer of the
// connection's own, and the connection stops reading until it drains
// (back-pressure). An idle connection therefore costs its task, its Stream
// and this struct: no goroutine, no coroutine, no buffer.
//
// StyleCoroutine is the same logic as a future.Async body: shorter, and it
// reads like blocking code, but each connection keeps a coroutine (a
// goroutine stack, at least a few KiB) and its read buffer for as long as it
// is open. The benchmark shows the difference.
//
// # States of an echo connection (StyleMachine)
//
//	         read n>0, written       read would-block
//	reading <------------------- reading -------------> (pending: waker on read)
//	   |  \
//	   |   \ short write: copy rest     write would-block
//	   |    +------------------> flushing ------------> (pending: waker on write)
//	   |                          |    ^
//	   |  EOF                     +----+ drained: back to reading
//	   v  (read only when nothing is pending: all is echoed)
//	closed <--- any error, idle timeout, shutdown (task dropped)
//
// # Shutdown
//
// Serve's stop future is an executor.Notify (stage 05), made ready from any
// goroutine (the program's signal handler). Notify calls the accept task's
// stored waker; the waker queues the task and, if the loop sleeps, sets the
// executor's one custom event (stage 03's SetReadiness), so the signal
// reaches epoll_wait like any other event. Serve then closes the listener,
// waits for the open connections up to Config.Grace, and returns; BlockOn
// drops the tasks still running, which closes their streams.
//
// # Simplifications
//
//   - NOTE: one executor, one goroutine: all connections share one core.
//     A Group (Config.Loops, ListenGroup) runs one executor per loop, each
//     with its own SO_REUSEPORT listener on the same port; a connection stays
//     on the loop the kernel gave it (no work stealing, unlike a production
//     runtime's pool).
//   - NOTE: the file server opens and reads files on the executor's worker
//     pool, one SpawnBlocking per chunk; io_uring or a sendfile(2) would avoid
//     the copies and the hand-offs.
package echo
