//go:build linux

package main

import (
	"testing"

	"github.com/async-from-scratch/course/06-async-echo/loadgen"
	"github.com/async-from-scratch/course/08-io-uring/internal/ringtest"
	"github.com/async-from-scratch/course/08-io-uring/uring"
)

// TestBenchmarkServersEcho is the benchmark's smoke test: every server kind
// it compares starts, echoes a few verified messages and stops cleanly. The
// benchmark itself runs only with -bench.
func TestBenchmarkServersEcho(t *testing.T) {
	ringtest.Require(t, uring.Available())
	for _, kind := range serverKinds {
		t.Run(kind, func(t *testing.T) {
			addr, stop, wait, err := startServerKind(kind)
			if err != nil {
				t.Fatal(err)
			}
			pool, err := loadgen.Dial(netDial, addr, 4)
			if err != nil {
				stop()
				t.Fatal(err)
			}
			_, rerr := pool.Round(64, 10, 1)
			pool.Close()
			stop()
			if err := wait(); err != nil {
				t.Errorf("%s stopped with %v", kind, err)
			}
			if rerr != nil {
				t.Errorf("%s: %v", kind, rerr)
			}
		})
	}
}
