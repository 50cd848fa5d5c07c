package loadgen

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
)

// TestDriveRunsForDurationAndReports: Drive keeps running rounds until the
// duration has passed, then prints the two lines with counts that add up.
func TestDriveRunsForDurationAndReports(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	addr := echoServer(t)
	var out bytes.Buffer
	start := time.Now()
	testutil.Within(t, 30*time.Second, "Drive", func() {
		if err := Drive(&out, DialFile, addr, 3, 100, 150*time.Millisecond); err != nil {
			t.Error(err)
		}
	})
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("Drive returned after %v, before its 150ms duration", took)
	}
	m := regexp.MustCompile(`^3 connections, 100-byte messages, \S+: (\d+) messages echoed and verified\n` +
		`\d+ messages/s, round trip p50 \S+, p99 \S+\n$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("Drive printed %q, want the two report lines", out.String())
	}
	// Rounds are 666 messages per connection, 3 connections: a whole number of rounds.
	if n, _ := strconv.Atoi(m[1]); n == 0 || n%(3*666) != 0 {
		t.Errorf("Drive reported %d messages, want a positive multiple of one round (3*666)", n)
	}
}

func TestDriveDialErrorPrintsNothing(t *testing.T) {
	refused := errors.New("refused")
	var out bytes.Buffer
	err := Drive(&out, func(string) (Conn, error) { return nil, refused }, "127.0.0.1:1", 2, 64, time.Second)
	if !errors.Is(err, refused) {
		t.Errorf("Drive with a failing dialer = %v, want the dial error", err)
	}
	if out.Len() != 0 {
		t.Errorf("Drive printed %q after a failed dial, want nothing", out.String())
	}
}
