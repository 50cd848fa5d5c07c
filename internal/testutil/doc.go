// Package testutil holds the few test helpers every stage shares: a
// file-descriptor leak check and a watchdog that fails a stuck test in
// seconds instead of at go test's ten-minute default.
//
// It is imported only from _test.go files.
package testutil
