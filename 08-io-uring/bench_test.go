//go:build linux

// go test -run '^$' -bench . -benchtime 2s ./08-io-uring
//
// The same load (stage 06's loadgen, 64-byte messages, closed loop) against
// five servers in one run, each in a child process (this test binary,
// re-executed; stage 06's package benchserver):
//
//	net              a goroutine per connection on Go's net package (the baseline)
//	callbackloop     stage 06's callback loop on epoll (package callbackloop)
//	callbackloop-sr  the same with ShortReadDrains (its fewest system calls)
//	machine          stage 06's server on the stage 05 executor
//	uring            this stage's server on io_uring: multishot accept and recv
//	uring-1          the same with one-shot accept and recv (an SQE per message)
//
// Per echoed message it reports each server's system calls and context
// switches: every system call its threads entered (perf's
// raw_syscalls:sys_enter, when perf can attach, as root here), and the
// context switches of all its threads (/proc/PID/task/*/status). io_uring's
// point is the first number: one io_uring_enter submits and reaps a whole
// turn's worth of operations.
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/benchserver"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
	"github.com/async-from-scratch/course/08-io-uring/echo"
	"github.com/async-from-scratch/course/08-io-uring/internal/ringtest"
	"github.com/async-from-scratch/course/08-io-uring/loop"
	"github.com/async-from-scratch/course/08-io-uring/uring"
)

// childEnv names the server a re-executed test binary runs (see TestMain and
// package benchserver).
const childEnv = "ECHO08_BENCH_CHILD"

var serverKinds = []string{"net", "callbackloop", "callbackloop-sr", "machine", "uring", "uring-1"}

// BenchmarkEcho reports, for each server at 1, 50 and 500 connections,
// messages per second, latency, and system calls and context switches per
// echoed message. Every b.Loop iteration gives each server one round of the
// same load, in rotating order, so drift in the machine's load hits all of
// them alike; the ratios the chapter discusses are reported directly.
func BenchmarkEcho(b *testing.B) {
	ringtest.Require(b, uring.Available())
	for _, conns := range []int{1, 50, 500} {
		b.Run(fmt.Sprintf("size=64/conns=%d", conns), func(b *testing.B) {
			children := make([]*benchserver.Child, len(serverKinds))
			pools := make([]*loadgen.Pool, len(serverKinds))
			for i, kind := range serverKinds {
				children[i] = benchserver.Start(b, childEnv, kind)
				p, err := loadgen.Dial(netDial, children[i].Addr, conns)
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				pools[i] = p
			}
			perf := make([]*perfStat, len(serverKinds))
			for i, c := range children {
				perf[i] = startPerf(b, c.Pid())
			}
			perConn := max(10, 4000/conns)
			totals := make([]loadgen.Stats, len(serverKinds))
			ctxsw := make([]int64, len(serverKinds))
			seed := uint64(0)
			for b.Loop() {
				seed++
				for j := range serverKinds {
					i := (j + int(seed)) % len(serverKinds)
					c0 := children[i].Counters().CtxSwitches
					st, err := pools[i].Round(64, perConn, seed)
					if err != nil {
						b.Fatalf("%s: %v", serverKinds[i], err)
					}
					ctxsw[i] += children[i].Counters().CtxSwitches - c0
					totals[i].Add(st)
				}
			}
			rate := map[string]float64{}
			for i, kind := range serverKinds {
				m := float64(totals[i].Messages)
				rate[kind] = totals[i].PerSecond()
				b.ReportMetric(rate[kind], kind+"-msgs/s")
				b.ReportMetric(float64(totals[i].Percentile(0.99).Nanoseconds())/1e3, kind+"-p99-µs")
				b.ReportMetric(float64(ctxsw[i])/m, kind+"-ctxsw/msg")
				if perf[i] != nil {
					// perf counts every round, b.Loop's first included, as
					// totals does.
					b.ReportMetric(float64(perf[i].stop(b))/m, kind+"-syscalls/msg")
				}
			}
			b.ReportMetric(rate["uring"]/rate["net"], "uring/net")
			b.ReportMetric(rate["uring"]/rate["callbackloop"], "uring/callbackloop")
			b.ReportMetric(rate["uring"]/rate["callbackloop-sr"], "uring/callbackloop-sr")
			b.ReportMetric(rate["uring"]/rate["machine"], "uring/machine")
			b.ReportMetric(rate["uring-1"]/rate["uring"], "uring-1/uring")
		})
	}
}

// BenchmarkIdleMemory opens 10,000 connections to each server, echoes one
// message on each, and reports the server's RSS growth per connection after a
// GC in the server. Run it once: -benchtime 1x.
func BenchmarkIdleMemory(b *testing.B) {
	ringtest.Require(b, uring.Available())
	const idleConns = 10_000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < idleConns+500 {
		b.Skipf("RLIMIT_NOFILE %d is too low for %d connections", lim.Cur, idleConns)
	}
	for _, kind := range serverKinds {
		b.Run(kind, func(b *testing.B) {
			child := benchserver.Start(b, childEnv, kind)
			m := child.HoldIdle(b, netDial, idleConns)
			for b.Loop() {
				// The measurement is above; b.Loop only keeps the protocol.
			}
			b.ReportMetric(float64(m.RSSAfter-m.RSSBefore)/idleConns, "B/conn")
			b.ReportMetric(float64(m.HeapAfter-m.HeapBefore)/idleConns, "heap-B/conn")
			b.ReportMetric(float64(m.RSSBefore)/(1<<20), "MiB-rss-before")
		})
	}
}

func netDial(addr string) (loadgen.Conn, error) { return net.DialTimeout("tcp", addr, 10*time.Second) }

// perfStat is `perf stat` counting a child's system calls.
type perfStat struct {
	cmd *exec.Cmd
	out string
}

// startPerf attaches perf to pid, or returns nil where perf cannot (not
// installed, or not allowed: perf_event_paranoid, no root).
func startPerf(b *testing.B, pid int) *perfStat {
	out := filepath.Join(b.TempDir(), "perf.csv")
	cmd := exec.Command("perf", "stat", "-x", ",", "-o", out, "-e", "raw_syscalls:sys_enter", "-p", strconv.Itoa(pid))
	if err := cmd.Start(); err != nil {
		return nil
	}
	time.Sleep(300 * time.Millisecond) // let it attach before the rounds
	if cmd.ProcessState != nil {
		return nil
	}
	return &perfStat{cmd: cmd, out: out}
}

// stop ends perf (SIGINT makes it write its count) and returns the count.
func (p *perfStat) stop(b *testing.B) int64 {
	_ = p.cmd.Process.Signal(os.Interrupt)
	_ = p.cmd.Wait()
	data, err := os.ReadFile(p.out)
	if err != nil {
		b.Fatalf("perf: %v", err)
	}
	for line := range strings.Lines(string(data)) {
		if f := strings.Split(line, ","); len(f) >= 3 && f[2] == "raw_syscalls:sys_enter" {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			return n
		}
	}
	b.Fatalf("perf wrote no count:\n%s", data)
	return 0
}

// startServerKind adds this stage's servers to stage 06's.
func startServerKind(kind string) (addr string, stop func(), wait func() error, err error) {
	done := make(chan error, 1)
	switch kind {
	case "uring", "uring-1":
		l, err := loop.New(loop.Options{})
		if err != nil {
			return "", nil, nil, err
		}
		srv, err := echo.Listen(l, echo.Config{Addr: "127.0.0.1:0", Grace: time.Millisecond, OneShot: kind == "uring-1"})
		if err != nil {
			return "", nil, nil, err
		}
		var stop executor.Notify
		go func() {
			v, err := loop.Run(l, srv.Serve(&stop))
			done <- benchserver.JoinResult(v, err)
		}()
		return srv.Addr().String(), stop.Notify, func() error { return <-done }, nil
	}
	return benchserver.StartKind(kind)
}
