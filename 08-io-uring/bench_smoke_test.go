//go:build linux

package main

import (
	"testing"

	"github.com/async-from-scratch/course/06-async-echo/benchserver"
	"github.com/async-from-scratch/course/08-io-uring/internal/ringtest"
	"github.com/async-from-scratch/course/08-io-uring/uring"
)

// TestBenchmarkServersEcho is the benchmark's smoke test: every server kind
// it compares starts, echoes a few verified messages and stops cleanly. The
// benchmark itself runs only with -bench.
func TestBenchmarkServersEcho(t *testing.T) {
	ringtest.Require(t, uring.Available())
	benchserver.CheckKinds(t, startServerKind, netDial, serverKinds)
}
