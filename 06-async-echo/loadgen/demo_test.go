package loadgen

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
)

// TestSelftest: the selftest echoes its messages, stops the server, and
// reports a server that does not stop cleanly.
func TestSelftest(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	stopErr := errors.New("stopped badly")
	for _, tc := range []struct {
		stop error
		want string
	}{{nil, "server stopped cleanly"}, {stopErr, ""}} {
		var out bytes.Buffer
		stopped := false
		var err error
		testutil.Within(t, 30*time.Second, "Selftest", func() {
			err = Selftest(&out, func() (string, func() error, error) {
				return echoServer(t), func() error { stopped = true; return tc.stop }, nil
			})
		})
		if !errors.Is(err, tc.stop) || (tc.stop == nil) != (err == nil) || !stopped {
			t.Errorf("Selftest with a stop that returns %v = %v, stopped %v; want %v, true", tc.stop, err, stopped, tc.stop)
		}
		testutil.WantLines(t, out.String(), "server listening", "8 clients: 80 messages of 1000 bytes echoed and verified", tc.want)
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
