// Command idleconns measures what an idle connection costs a server: it
// reads the server's VmRSS, opens -n connections to it from this process
// (loopback only, nothing sent), waits until the server's RSS stops growing,
// reads VmRSS again and prints the growth per connection. It is Linux-only
// (it reads /proc/PID/status). Run the server first, then, for stage 06:
//
//	go run ./06-async-echo -addr 127.0.0.1:7979 & # note its pid
//	go run ./internal/cmd/idleconns -addr 127.0.0.1:7979 -pid PID -n 10000
//
// Unlike BenchmarkIdleMemory in 06-async-echo, the server is the real
// program, nothing is echoed and no GC is forced in the server: the number
// is what a user of the program would see in top(1).
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "idleconns:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "", "the server's address, on loopback (127.0.0.1:PORT)")
	pid := flag.Int("pid", 0, "the server's process id")
	n := flag.Int("n", 10_000, "connections to open")
	settle := flag.Duration("settle", time.Second, "the RSS must stay the same this long to count as settled")
	flag.Parse()
	ap, err := netip.ParseAddrPort(*addr)
	if err != nil || !ap.Addr().IsLoopback() {
		return fmt.Errorf("-addr %q: need a loopback address and port", *addr)
	}
	if *pid <= 0 || *n <= 0 {
		return errors.New("-pid and -n must be positive")
	}
	if err := raiseFDLimit(*n + 100); err != nil {
		return err
	}
	before, err := vmRSS(*pid)
	if err != nil {
		return err
	}
	conns := make([]net.Conn, 0, *n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range *n {
		c, err := net.DialTimeout("tcp", *addr, 10*time.Second)
		if err != nil {
			return fmt.Errorf("after %d connections: %w", len(conns), err)
		}
		conns = append(conns, c)
	}
	after, err := settledRSS(*pid, *settle)
	if err != nil {
		return err
	}
	fmt.Printf("VmRSS before %d KiB, after %d connections %d KiB: %.0f B per connection\n",
		before>>10, *n, after>>10, float64(after-before)/float64(*n))
	return nil
}

// settledRSS polls the server's VmRSS every 100 ms until it has not changed
// for settle (at most 30 s): the server accepts at its own pace.
func settledRSS(pid int, settle time.Duration) (int64, error) {
	last, err := vmRSS(pid)
	if err != nil {
		return 0, err
	}
	since := time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		rss, err := vmRSS(pid)
		if err != nil {
			return 0, err
		}
		if rss != last {
			last, since = rss, time.Now()
		} else if time.Since(since) >= settle {
			return rss, nil
		}
	}
	return 0, errors.New("the server's RSS did not settle within 30s")
}

func vmRSS(pid int) (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

func raiseFDLimit(need int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if uint64(lim.Max) < uint64(need) { // int64 on FreeBSD, uint64 elsewhere
		return fmt.Errorf("RLIMIT_NOFILE hard limit %d is below the %d descriptors needed", lim.Max, need)
	}
	lim.Cur = lim.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}
