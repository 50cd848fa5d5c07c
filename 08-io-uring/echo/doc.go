// Package echo is stage 06's echo server and file server on io_uring: the
// same behaviour (full echo, half-close, back-pressure, idle timeout,
// graceful shutdown, the descriptor limit survived), written on package
// loop's completion futures instead of stage 05's readiness futures.
//
// # What changes with completion I/O
//
//   - A connection waiting for data holds no buffer: its recv asks for a
//     provided buffer, which the kernel picks when data arrives.
//   - The echo sends from the very buffer the data arrived in, and gives it
//     back to the kernel only after the send's CQE: until then the kernel may
//     still be reading it.
//   - Back-pressure is free: a connection has one recv or one send in flight,
//     never both, so a client that does not read stops its own echo and
//     nothing else (and when every buffer is taken, recvs wait for one).
//   - One SQE serves many results: a multishot accept for every connection,
//     a multishot recv for every message of a connection (kernel 6.0 and
//     later; Config.OneShot turns them off). A connection whose send is slow
//     pauses its recv (loop.Receiver.Pace), so data waits in the socket.
//   - The idle timeout is a LINK_TIMEOUT SQE chained to each recv and send:
//     the kernel cancels the operation, and no timer heap is needed.
//   - The file server's reads are IORING_OP_READ: asynchronous without a pool
//     of worker goroutines.
//
// # Simplifications
//
//   - NOTE: the file name is opened with os.Root (openat2 with
//     RESOLVE_BENEATH underneath) on the loop goroutine: one quick system
//     call that may block on a cold directory cache. IORING_OP_OPENAT2 takes
//     the same resolve flags and would make it asynchronous too.
//   - NOTE: connections are closed with a plain close(2), once per connection;
//     loop.CloseFd shows the ring's IORING_OP_CLOSE.
package echo
