// Package callbackloop is the callback event loop without futures: an echo
// server written as plain callbacks on stage 02's poll and tcp packages, with
// no futures, no tasks, no wakers. One goroutine, one Poll, a map from Token
// to connection, and a function that runs when a connection's token comes
// back from Poll.
//
// It exists to be measured. Anything the executor server of this stage does
// costs at least what this loop costs (the same system calls, in the same
// order), so it is the floor the executor server is measured against; the
// difference between the two is the price of futures. The benchmark in
// ../bench_test.go puts both next to a goroutine-per-connection server on the
// net package.
//
// # What it gets right (the rules every event loop must follow)
//
//   - Edge-triggered registration, once per connection, for both directions.
//     Under edge triggering a source must be drained until would-block, or
//     the next edge never comes (pitfall 7 in docs/05-executor.md).
//   - Bounded work per turn: at most ReadsPerTurn reads per connection per
//     event; a connection that still has data goes on a ready list and is
//     served again after the others, without waiting for an edge.
//   - Write-all with back-pressure: what a short write leaves over is kept
//     (at most one read's worth) and the connection stops reading until the
//     kernel takes it. Nothing is buffered without bound.
//   - Half-close: EOF from the client means "echo what is left, then close".
//   - Tokens are never reused, so an event for a closed connection whose fd
//     number was reused finds nothing in the map and is dropped (pitfall 9).
//   - Deregister before close (pitfall 8).
//
// Options.ShortReadDrains is the rule stage 05's Stream.PollRead follows: a
// read that returns less than the buffer means the socket's queue was empty,
// so the loop waits for the next edge instead of reading again to hear EAGAIN
// (unless the peer's FIN was reported: then it reads on to the EOF). With it,
// this loop makes the executor server's system calls, call for call; without
// it, the system calls of Go's net package. The benchmark runs this loop both
// ways.
//
// # Simplifications
//
//   - NOTE: one shared read buffer for the whole loop: a read is echoed at
//     once, so an idle connection holds no buffer at all.
//   - NOTE: accept errors like EMFILE back off for 50 ms; there is no reserve fd.
//   - NOTE: no idle timeout, no graceful shutdown: Stop closes every
//     connection at once. The executor server does those properly.
package callbackloop
