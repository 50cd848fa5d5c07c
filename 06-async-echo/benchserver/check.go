package benchserver

import (
	"testing"

	"github.com/async-from-scratch/course/06-async-echo/loadgen"
)

// Memory is a server's memory before and after it took on connections
// (see HoldIdle).
type Memory struct {
	RSSBefore, RSSAfter   int64 // resident set size, bytes
	HeapBefore, HeapAfter int64 // live heap, bytes
}

// HoldIdle opens conns connections to the child through dial and echoes one
// 64-byte message on each, so that every connection has been accepted and
// served, and returns the child's memory before and after (see RSS). The
// connections stay open, idle, until tb's test ends.
func (c *Child) HoldIdle(tb testing.TB, dial loadgen.Dialer, conns int) Memory {
	tb.Helper()
	var m Memory
	m.RSSBefore, m.HeapBefore = c.RSS(tb)
	pool, err := loadgen.Dial(dial, c.Addr, conns)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pool.Close() }) // before the child stops: cleanups run last-in first-out
	if _, err := pool.Round(64, 1, 1); err != nil {
		tb.Fatal(err)
	}
	m.RSSAfter, m.HeapAfter = c.RSS(tb)
	return m
}

// CheckKinds is a benchmark's smoke test: every server kind starts (in this
// process), echoes a few verified messages on connections made by dial, and
// stops cleanly.
func CheckKinds(t *testing.T, start StartFunc, dial loadgen.Dialer, kinds []string) {
	t.Helper()
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			addr, stop, wait, err := start(kind)
			if err != nil {
				t.Fatal(err)
			}
			pool, err := loadgen.Dial(dial, addr, 4)
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
