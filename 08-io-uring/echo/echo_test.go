//go:build linux

// go test -run . -v ./08-io-uring/echo
package echo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/async-from-scratch/course/06-async-echo/loadgen"
	"github.com/async-from-scratch/course/08-io-uring/loop"
)

func TestEcho(t *testing.T) {
	for _, oneShot := range []bool{false, true} {
		t.Run(fmt.Sprintf("OneShot=%v", oneShot), func(t *testing.T) { testEcho(t, Config{OneShot: oneShot}) })
	}
}

func testEcho(t *testing.T, cfg Config) {
	ts := startServer(t, cfg, loop.Options{})
	t.Run("many clients at once, each message verified", func(t *testing.T) {
		pool, err := loadgen.Dial(netDial, ts.addr, 100)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		pool.Timeout = 20 * time.Second
		for _, size := range []int{1, 64, 4096, 10_000} {
			if _, err := pool.Round(size, 5, uint64(size)); err != nil {
				t.Fatalf("Round(%d bytes): %v", size, err)
			}
		}
	})
	t.Run("garbage bytes come back intact", func(t *testing.T) {
		data := make([]byte, 256*1024)
		r := rand.New(rand.NewPCG(1, 2))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		if got := pump(t, dial(t, ts.addr), data, 0); !bytes.Equal(got, data) {
			t.Errorf("echoed %d bytes, want the %d sent, intact", len(got), len(data))
		}
	})
	t.Run("half-close: everything sent before the FIN is echoed, then the server closes", func(t *testing.T) {
		data := bytes.Repeat([]byte("half-close "), 10_000)
		if got := pump(t, dial(t, ts.addr), data, 0); !bytes.Equal(got, data) {
			t.Errorf("echoed %d bytes, want %d", len(got), len(data))
		}
	})
	t.Run("a client that reads late: back-pressure, nothing lost", func(t *testing.T) {
		// 8 MiB is more than the socket buffers on both sides hold, so the
		// server's sends wait for the client, and its recvs wait for them.
		data := bytes.Repeat([]byte("slow reader "), 8<<20/12)
		if got := pump(t, dial(t, ts.addr), data, 300*time.Millisecond); !bytes.Equal(got, data) {
			t.Errorf("echoed %d bytes, want %d", len(got), len(data))
		}
	})
}

// TestNonReaderDoesNotStallOthers: one client sends without ever reading.
// Its connection stops at one buffer (one recv or one send in flight), and
// everybody else is still served.
func TestNonReaderDoesNotStallOthers(t *testing.T) {
	for _, oneShot := range []bool{false, true} {
		t.Run(fmt.Sprintf("OneShot=%v", oneShot), func(t *testing.T) {
			testNonReaderDoesNotStallOthers(t, Config{OneShot: oneShot})
		})
	}
}

func testNonReaderDoesNotStallOthers(t *testing.T, cfg Config) {
	ts := startServer(t, cfg, loop.Options{Buffers: 64})
	hog := dial(t, ts.addr)
	hog.SetReadBuffer(4096) // the server's sends to it stall at once
	hogDone := make(chan struct{})
	go func() {
		defer close(hogDone)
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		hog.SetWriteDeadline(time.Now().Add(2 * time.Second))
		for {
			if _, err := hog.Write(chunk); err != nil {
				return // the buffers are full both ways: the deadline ends it
			}
		}
	}()
	<-hogDone
	pool, err := loadgen.Dial(netDial, ts.addr, 20)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pool.Timeout = 10 * time.Second
	// 20 clients x 50 messages of 4 KiB need far more than 64 buffers in
	// turn: only buffers that come back can serve them.
	if _, err := pool.Round(4096, 50, 7); err != nil {
		t.Fatalf("other clients while one does not read: %v", err)
	}
}

func TestThousandsOfSequentialConnectionsLeakNothing(t *testing.T) {
	ts := startServer(t, Config{}, loop.Options{})
	for i := range 2000 {
		c, err := net.DialTimeout("tcp", ts.addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		msg := []byte("ping")
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, msg); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		c.Close()
	}
	// CheckNoFDLeak (from startServer) checks, after shutdown, that the
	// server closed all 2000.
}

func TestIdleTimeout(t *testing.T) {
	// 300 ms: long enough that a client talking every 50 ms is never idle
	// that long, even on a loaded machine.
	ts := startServer(t, Config{Idle: 300 * time.Millisecond}, loop.Options{})
	t.Run("a silent client is closed", func(t *testing.T) {
		start := time.Now() // before the dial: the server's idle timer cannot start earlier
		c := dial(t, ts.addr)
		if _, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("Read on a silent connection = %v, want EOF (closed by the server)", err)
		}
		if el := time.Since(start); el < 300*time.Millisecond {
			t.Errorf("closed after %v, before the idle timeout of 300ms", el)
		}
	})
	t.Run("a client that never reads is closed", func(t *testing.T) {
		c := dial(t, ts.addr)
		c.SetWriteDeadline(time.Now().Add(20 * time.Second))
		chunk := make([]byte, 64<<10)
		var err error
		for err == nil {
			_, err = c.Write(chunk) // fails once the server gave up and closed
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the server never closed a client that does not read")
		}
	})
	t.Run("a client that talks is not closed", func(t *testing.T) {
		c := dial(t, ts.addr)
		buf := make([]byte, 2)
		for range 5 {
			time.Sleep(50 * time.Millisecond)
			c.Write([]byte("hi"))
			if _, err := io.ReadFull(c, buf); err != nil {
				t.Fatalf("a client active every 50ms was cut off: %v", err)
			}
		}
	})
}

func TestMaxConnsHoldsBackTheNextClient(t *testing.T) {
	ts := startServer(t, Config{MaxConns: 1}, loop.Options{})
	first := dial(t, ts.addr)
	first.Write([]byte("1"))
	io.ReadFull(first, make([]byte, 1))
	second := dial(t, ts.addr) // connected in the backlog, not accepted
	second.Write([]byte("2"))
	second.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := second.Read(make([]byte, 1)); err == nil {
		t.Fatal("the second client was served while the first was open, with MaxConns 1")
	}
	first.Close()
	second.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(second, make([]byte, 1)); err != nil {
		t.Fatalf("the second client after the first closed: %v", err)
	}
}

func TestShutdownClosesOpenConnections(t *testing.T) {
	for _, oneShot := range []bool{false, true} {
		t.Run(fmt.Sprintf("OneShot=%v", oneShot), func(t *testing.T) {
			testShutdownClosesOpenConnections(t, Config{Grace: 50 * time.Millisecond, OneShot: oneShot})
		})
	}
}

func testShutdownClosesOpenConnections(t *testing.T, cfg Config) {
	ts := startServer(t, cfg, loop.Options{})
	var conns []*net.TCPConn
	for range 20 {
		c := dial(t, ts.addr)
		c.Write([]byte("x"))
		io.ReadFull(c, make([]byte, 1))
		conns = append(conns, c)
	}
	ts.shutdown(t) // each connection has a recv in flight: all are cancelled
	for i, c := range conns {
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Fatalf("connection %d still open after shutdown", i)
		}
	}
	if ts.stats.Cancels < 20 {
		t.Errorf("Stats.Cancels = %d, want at least 20 (one recv per open connection)", ts.stats.Cancels)
	}
}

func TestShutdownWaitsForConnectionsToFinish(t *testing.T) {
	ts := startServer(t, Config{Grace: 10 * time.Second}, loop.Options{})
	c := dial(t, ts.addr)
	c.Write([]byte("x"))
	io.ReadFull(c, make([]byte, 1))
	stopped := make(chan struct{})
	go func() { ts.stop.Notify(); close(stopped) }()
	<-stopped
	// Within the grace period the connection still echoes.
	c.Write([]byte("y"))
	got := make([]byte, 1)
	if _, err := io.ReadFull(c, got); err != nil || got[0] != 'y' {
		t.Fatalf("echo during the grace period: %q, %v", got, err)
	}
	c.CloseWrite()
	start := time.Now()
	ts.shutdown(t)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("shutdown took %v after the last client left; it should not wait out the 10 s grace", el)
	}
}

func TestListenErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, tc := range []struct {
		cfg  Config
		want string
		is   error
	}{
		{Config{Addr: ln.Addr().String()}, "address already in use", syscall.EADDRINUSE},
		{Config{Addr: "nonsense"}, `bad address "nonsense"`, nil},
		{Config{Addr: "127.0.0.1:0", Mode: "chat"}, `unknown mode "chat"`, nil},
		{Config{Addr: "127.0.0.1:0", Mode: ModeFile}, "file mode needs a root folder", nil},
	} {
		_, err := Listen(nil, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("Listen(%+v) = %v, want an error containing %q", tc.cfg, err, tc.want)
		}
	}
}

func TestFileServer(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 3<<20/16) // 3 MiB: many reads and sends
	must(t, os.WriteFile(filepath.Join(dir, "big.txt"), big, 0o644))
	must(t, os.WriteFile(filepath.Join(t.TempDir(), "secret"), []byte("secret"), 0o644))
	must(t, os.Symlink("/etc/passwd", filepath.Join(dir, "out")))
	root, err := os.OpenRoot(dir)
	must(t, err)
	defer root.Close()
	ts := startServer(t, Config{Mode: ModeFile, Root: root}, loop.Options{})
	ask := func(line string) string {
		c := dial(t, ts.addr)
		c.Write([]byte(line))
		got, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		return string(got)
	}
	const prompt = "Please enter filename: "
	if got := ask("big.txt\n"); got != prompt+string(big) {
		t.Errorf("big.txt: got %d bytes, want the prompt and the file's %d, intact", len(got), len(big))
	}
	for _, tc := range []struct{ line, want string }{
		{"../secret\n", "error: name refused"},
		{"/etc/passwd\n", "error: name refused"},
		{"out\n", "error: name refused"},
		{"missing\n", "error: no such file: missing"},
	} {
		if got := ask(tc.line); !strings.HasPrefix(got, prompt+tc.want) {
			t.Errorf("%q: got %q, want %q", tc.line, got, prompt+tc.want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
