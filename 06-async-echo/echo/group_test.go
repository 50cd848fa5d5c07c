package echo

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"regexp"
	"testing"
	"time"

	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestGroupSpreadsConnectionsOverTheLoops: with two loops on one port,
// connections land on both (the kernel hashes them over the two
// SO_REUSEPORT sockets; all 40 on one loop has a chance of 2^-39), every one
// is echoed, and every loop logs its own "listening" and "stopped".
func TestGroupSpreadsConnectionsOverTheLoops(t *testing.T) {
	checkFDs(t)
	var logs testutil.SyncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ts := startServer(t, Config{Loops: 2, Logger: log})
	testutil.Within(t, 30*time.Second, "two loops", func() {
		const n = 40
		for i := range n {
			c := dial(t, ts.addr)
			msg := []byte{byte(i), 'x'}
			c.Write(msg)
			got := make([]byte, 2)
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
				t.Errorf("connection %d: got %q, %v", i, got, err)
			}
		}
	})
	ts.shutdown(t)
	out := logs.String()
	for _, loop := range []string{"0", "1"} {
		for _, msg := range []string{"listening", "connection", "stopped"} {
			re := regexp.MustCompile(`msg=` + msg + ` .*loop=` + loop + `\b|loop=` + loop + ` .*msg=` + msg + `\b`)
			if !re.MatchString(out) {
				t.Errorf("no %q logged by loop %s; the log:\n%s", msg, loop, out)
			}
		}
	}
}

func TestGroupErrors(t *testing.T) {
	checkFDs(t)
	// A port taken by someone without SO_REUSEPORT: no loop may join it.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, cfg := range []Config{
		{Addr: taken.Addr().String(), Loops: 2},
		{Addr: "nonsense", Loops: 2},
		{Addr: "127.0.0.1:0", Loops: 2, Style: "fancy"},
	} {
		if g, err := ListenGroup(cfg, executor.Options{}); err == nil {
			g.Stop()
			g.Run()
			t.Errorf("ListenGroup(%+v) = nil error, want one", cfg)
		} else {
			t.Logf("ListenGroup(%q): %v", cfg.Addr, err)
		}
	}
	if _, err := ListenGroup(Config{Addr: taken.Addr().String(), Loops: 2}, executor.Options{}); !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("ListenGroup on a port in use = %v, want errors.Is EADDRINUSE", err)
	}
	ex := newExecutor(t)
	defer ex.Close()
	if _, err := Listen(ex, Config{Addr: "127.0.0.1:0", Loops: 2}); err == nil {
		t.Errorf("Listen with Loops 2 = nil error, want one (ListenGroup's job)")
	}
}

// TestGroupStopBeforeRun: Stop may come first; Run then returns at once.
func TestGroupStopBeforeRun(t *testing.T) {
	checkFDs(t)
	g, err := ListenGroup(Config{Addr: "127.0.0.1:0", Loops: 3}, executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g.Stop()
	testutil.Within(t, 10*time.Second, "Run after Stop", func() {
		if err := g.Run(); err != nil {
			t.Errorf("Run after Stop = %v, want nil", err)
		}
	})
}
