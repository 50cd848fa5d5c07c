package loadgen

import (
	"fmt"
	"io"
	"time"
)

// Drive is the load demo of stages 06 and 08: it opens conns connections to
// addr, runs closed-loop rounds of size-byte messages on them until duration
// has passed, and prints two lines to out: how much was echoed and verified,
// then messages per second and the round trip's p50 and p99. Each round is
// about 2,000 messages over all connections, so the duration is overshot by
// at most one round. It prints nothing when a dial or a round fails.
func Drive(out io.Writer, dial Dialer, addr string, conns, size int, duration time.Duration) error {
	pool, err := Dial(dial, addr, conns)
	if err != nil {
		return err
	}
	defer pool.Close()
	pool.Timeout = duration + 10*time.Second
	var total Stats
	perConn := max(1, 2000/conns)
	for seed := uint64(1); total.Elapsed < duration; seed++ {
		st, err := pool.Round(size, perConn, seed)
		total.Add(st)
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "%d connections, %d-byte messages, %v: %d messages echoed and verified\n",
		conns, size, total.Elapsed.Round(time.Millisecond), total.Messages)
	fmt.Fprintf(out, "%.0f messages/s, round trip p50 %v, p99 %v\n",
		total.PerSecond(), total.Percentile(0.5).Round(time.Microsecond), total.Percentile(0.99).Round(time.Microsecond))
	return nil
}
