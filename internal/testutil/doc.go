// Package testutil holds the few test helpers every stage shares: a
// file-descriptor leak check, a watchdog that fails a stuck test in
// seconds instead of at go test's ten-minute default, and the helpers a
// stage's main_test.go runs its program with (RunDemos, RunErrors, RunDemo,
// WantLines), a program serving in the background that a test stops with a
// real signal (StartServer, BusyAddr), and for tests that need a server in
// another process: this test
// binary re-executed as a child (StartChild), its CPU time (CPUTicks), and
// the accept-at-the-descriptor-limit check (CheckAcceptAtFDLimit,
// FDLimitWithRoom).
//
// It is imported only from _test.go files and from stage 06's benchserver
// package, the benchmarks' harness.
package testutil
