// Package testutil holds the few test helpers every stage shares: a
// file-descriptor leak check, a watchdog that fails a stuck test in
// seconds instead of at go test's ten-minute default, and the helpers a
// stage's main_test.go runs its program with (RunDemos, RunErrors, RunDemo,
// WantLines).
//
// It is imported only from _test.go files.
package testutil
