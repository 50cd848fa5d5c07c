// Package benchserver runs the servers a benchmark compares, each in a child
// process: the test binary, re-executed with an environment variable that
// names the server kind. A server in its own process has its own heap and
// its own /proc entry, so its memory, CPU time, system calls and context
// switches can be read apart from the client's (package loadgen, in the
// benchmark's process).
//
// The protocol is three lines: the child prints its server's address; each
// "gc" line on its stdin makes it collect garbage and print its live heap;
// closing its stdin stops the server and the child.
//
//	parent: Start(tb, "ECHO06_BENCH_CHILD", "machine")  (re-executes the test binary)
//	child:  TestMain sees the variable, calls Serve(kind, StartKind)
//
// Stage 06's benchmark and stage 08's import it; StartKind starts stage 06's
// servers, and a later stage's start function adds its own kinds to them.
//
// # Simplifications
//
//   - NOTE: the /proc counters are Linux's; elsewhere they read as zero and
//     RSS skips the benchmark.
package benchserver
