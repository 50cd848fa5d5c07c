package loadgen

import (
	"bytes"
	"errors"
	"fmt"
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

// TestLoadDemo: with -addr empty the demo starts its own server and stops it
// at the end; bad flags are one clear error, and no server is started.
func TestLoadDemo(t *testing.T) {
	started, stopped := 0, 0
	start := func() (string, func() error, error) {
		started++
		return echoServer(t), func() error { stopped++; return nil }, nil
	}
	var out bytes.Buffer
	testutil.Within(t, 30*time.Second, "LoadDemo", func() {
		if err := LoadDemo([]string{"-conns", "2", "-duration", "50ms"}, &out, start); err != nil {
			t.Error(err)
		}
	})
	if started != 1 || stopped != 1 {
		t.Errorf("LoadDemo started its server %d times and stopped it %d times, want 1 and 1", started, stopped)
	}
	testutil.WantLines(t, out.String(), "2 connections, 64-byte messages", "messages/s, round trip p50")
	for _, args := range [][]string{{"-conns", "0"}, {"-size", "0"}} {
		err := LoadDemo(args, &out, start)
		testutil.WantOneLineError(t, fmt.Sprintf("LoadDemo(%q)", args), err, "-conns and -size must be at least 1")
	}
	if started != 1 {
		t.Errorf("LoadDemo with bad flags started a server")
	}
}
