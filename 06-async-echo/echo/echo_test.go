package echo

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
	"github.com/async-from-scratch/course/internal/testutil"
)

// TestEcho drives the echo server with real clients, once per style, and
// once on two event loops (a Group).
func TestEcho(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"machine", Config{Style: StyleMachine}},
		{"coroutine", Config{Style: StyleCoroutine}},
		{"machine-2-loops", Config{Style: StyleMachine, Loops: 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkFDs(t)
			ts := startServer(t, tt.cfg)
			testEchoCases(t, ts.addr)
		})
	}
}

// loopsCases runs a test on one event loop and on two.
func loopsCases(t *testing.T, test func(t *testing.T, loops int)) {
	for _, loops := range []int{1, 2} {
		t.Run(fmt.Sprintf("loops=%d", loops), func(t *testing.T) { test(t, loops) })
	}
}

func testEchoCases(t *testing.T, addr string) {
	t.Run("many concurrent clients with random payloads", func(t *testing.T) {
		testutil.Within(t, 60*time.Second, "many clients", func() {
			n := scale(400, 2)
			p, err := loadgen.Dial(netDial, addr, n)
			if err != nil {
				t.Error(err)
				return
			}
			defer p.Close()
			for i, size := range []int{1, 777, 5000} {
				st, err := p.Round(size, 3, uint64(100*i))
				if err != nil || st.Messages != 3*n {
					t.Errorf("Round(%d, 3) on %d conns = %d messages, %v; want %d, nil", size, n, st.Messages, err, 3*n)
				}
			}
		})
	})
	t.Run("large payload written before reading", func(t *testing.T) {
		testutil.Within(t, 60*time.Second, "large payload", func() {
			data := loadgen.Payload(scale(8<<20, 4), 7)
			got := pump(t, dial(t, addr), data, 200*time.Millisecond)
			if msg := echoMismatch(data, got); msg != "" {
				t.Errorf("echo of a large payload: %s", msg)
			}
		})
	})
	t.Run("one byte at a time", func(t *testing.T) {
		testutil.Within(t, 30*time.Second, "one byte at a time", func() {
			c := dial(t, addr)
			one := make([]byte, 1)
			for i := range 200 {
				if _, err := c.Write([]byte{byte(i)}); err != nil {
					t.Error(err)
					return
				}
				if _, err := io.ReadFull(c, one); err != nil || one[0] != byte(i) {
					t.Errorf("byte %d: got %v, %v", i, one, err)
					return
				}
			}
		})
	})
	t.Run("half-close: the rest is echoed, then the server closes", func(t *testing.T) {
		testutil.Within(t, 30*time.Second, "half-close", func() {
			for _, size := range []int{0, 1, 100_000} {
				if err := halfCloseAfter(dial(t, addr), loadgen.Payload(size, 9)); err != nil {
					t.Errorf("half-close after %d bytes: %v", size, err)
					return
				}
			}
		})
	})
	t.Run("a stalled client's leftover survives the reads of an active one", func(t *testing.T) {
		testutil.Within(t, 60*time.Second, "stalled and active clients", func() {
			testStalledBesideActive(t, addr)
		})
	})
	t.Run("a client that does not read is throttled, not buffered", func(t *testing.T) {
		testutil.Within(t, 60*time.Second, "slow reader", func() {
			c := dial(t, addr)
			data := loadgen.Payload(64<<20, 3)
			var written int64
			var mu sync.Mutex
			werr := make(chan error, 1)
			go func() {
				for off := 0; off < len(data); off += 64 << 10 {
					n, err := c.Write(data[off : off+64<<10])
					mu.Lock()
					written += int64(n)
					mu.Unlock()
					if err != nil {
						werr <- err
						return
					}
				}
				werr <- nil
			}()
			time.Sleep(500 * time.Millisecond)
			mu.Lock()
			w := written
			mu.Unlock()
			// Socket buffers on loopback hold a few MiB in each direction;
			// a server that kept reading would have taken all 64 MiB.
			if w >= int64(len(data)) {
				t.Errorf("client wrote all %d bytes without reading: the server buffers without bound", w)
			}
			got, err := readEcho(c, len(data))
			if err != nil {
				t.Errorf("draining the echo: %v", err)
			} else if msg := echoMismatch(data, got); msg != "" {
				t.Errorf("after draining: %s", msg)
			}
			if err := <-werr; err != nil {
				t.Error(err)
			}
		})
	})
	t.Run("a reset mid-stream hurts nobody else", func(t *testing.T) {
		testutil.Within(t, 30*time.Second, "reset", func() {
			for range 5 {
				c := dial(t, addr)
				if _, err := c.Write(loadgen.Payload(1<<20, 1)); err != nil {
					t.Error(err)
					return
				}
				_ = c.SetLinger(0) // close sends RST
				c.Close()
			}
			p, err := loadgen.Dial(netDial, addr, 2)
			if err != nil {
				t.Error(err)
				return
			}
			defer p.Close()
			if _, err := p.Round(100, 3, 5); err != nil {
				t.Errorf("after resets: %v", err)
			}
		})
	})
	t.Run("a quiet client beside a chatty one keeps a low latency", func(t *testing.T) {
		testutil.Within(t, 60*time.Second, "chatty and quiet", func() {
			chatty := dial(t, addr)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			blob := loadgen.Payload(256<<10, 4)
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := chatty.Write(blob); err != nil {
						return
					}
				}
			})
			wg.Go(func() { io.Copy(io.Discard, chatty) })
			time.Sleep(100 * time.Millisecond)
			quiet, err := loadgen.Dial(netDial, addr, 1)
			if err != nil {
				t.Error(err)
				close(stop)
				chatty.Close()
				wg.Wait()
				return
			}
			st, err := quiet.Round(64, 50, 6)
			quiet.Close()
			close(stop)
			chatty.Close() // ends the writer and the reader
			wg.Wait()
			if err != nil {
				t.Error(err)
			}
			// Generous: a starved client waits seconds; a fair loop answers
			// in well under a millisecond unloaded, tens of ms under -race.
			if worst := st.Percentile(1); worst > time.Second {
				t.Errorf("quiet client: worst round trip %v beside a chatty client, want < 1s", worst)
			}
			t.Logf("quiet client beside a chatty one: p50 %v, p99 %v", st.Percentile(0.5), st.Percentile(0.99))
		})
	})
}

func TestThousandsOfSequentialConnectionsLeakNothing(t *testing.T) {
	loopsCases(t, testSequentialConnections)
}

func testSequentialConnections(t *testing.T, loops int) {
	checkFDs(t)
	ts := startServer(t, Config{Loops: loops})
	n := 3000
	testutil.Within(t, 120*time.Second, "sequential connections", func() {
		msg := []byte("ping")
		got := make([]byte, 4)
		for i := range n {
			c, err := net.Dial("tcp", ts.addr)
			if err != nil {
				t.Errorf("connection %d: %v", i, err)
				return
			}
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			_, err = c.Write(msg)
			if err == nil {
				_, err = io.ReadFull(c, got)
			}
			c.Close()
			if err != nil {
				t.Errorf("connection %d: %v", i, err)
				return
			}
		}
	})
	ts.shutdown(t)
}

func TestIdleTimeoutClosesSilentClients(t *testing.T) {
	for _, style := range []Style{StyleMachine, StyleCoroutine} {
		t.Run(string(style), func(t *testing.T) {
			checkFDs(t)
			ts := startServer(t, Config{Style: style, Idle: 200 * time.Millisecond})
			testutil.Within(t, 20*time.Second, "idle timeout", func() {
				c := dial(t, ts.addr)
				// Activity pushes the deadline back.
				var start time.Time
				for range 3 {
					time.Sleep(100 * time.Millisecond)
					start = time.Now() // the server's timer is reset after this
					c.Write([]byte("x"))
					io.ReadFull(c, make([]byte, 1))
				}
				n, err := c.Read(make([]byte, 1))
				if err != io.EOF {
					t.Errorf("silent client: Read = %d, %v; want 0, EOF (closed by the idle timer)", n, err)
				}
				if waited := time.Since(start); waited < 200*time.Millisecond {
					t.Errorf("closed %v after the last activity, before the 200ms idle timeout", waited)
				}
			})
		})
	}
}

func TestMaxConnsHoldsBackTheNextClient(t *testing.T) {
	checkFDs(t)
	ts := startServer(t, Config{MaxConns: 2})
	testutil.Within(t, 20*time.Second, "max conns", func() {
		a, b, c := dial(t, ts.addr), dial(t, ts.addr), dial(t, ts.addr)
		for _, conn := range []*net.TCPConn{a, b} {
			conn.Write([]byte("hi"))
			if _, err := io.ReadFull(conn, make([]byte, 2)); err != nil {
				t.Errorf("one of the first two: %v", err)
			}
		}
		c.Write([]byte("3rd"))
		_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if n, err := c.Read(make([]byte, 3)); err == nil {
			t.Errorf("third client got %d bytes while two were open, want no answer yet", n)
		}
		a.Close()
		_ = c.SetReadDeadline(time.Now().Add(closeStall))
		if _, err := io.ReadFull(c, make([]byte, 3)); err != nil {
			t.Errorf("third client not served within %v after one of the first two closed (%v): the server must close a connection whose client has gone", closeStall, err)
		}
	})
}

func TestShutdownWithOpenConnections(t *testing.T) {
	loopsCases(t, testShutdownWithOpenConnections)
}

func testShutdownWithOpenConnections(t *testing.T, loops int) {
	checkFDs(t)
	ts := startServer(t, Config{Grace: 300 * time.Millisecond, Loops: loops})
	testutil.Within(t, 20*time.Second, "shutdown", func() {
		var conns []*net.TCPConn
		for range 10 {
			c := dial(t, ts.addr)
			c.Write([]byte("hello"))
			io.ReadFull(c, make([]byte, 5))
			conns = append(conns, c)
		}
		start := time.Now()
		ts.shutdown(t)
		if took := time.Since(start); took < 250*time.Millisecond {
			t.Errorf("shutdown took %v, want the 300ms grace period first", took)
		}
		for i, c := range conns {
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Read(make([]byte, 1)); err == nil {
				t.Errorf("connection %d still open after shutdown", i)
			}
		}
		if _, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
			t.Errorf("server still accepting after shutdown")
		}
	})
}

func TestShutdownWaitsForConnectionsToFinish(t *testing.T) {
	loopsCases(t, testShutdownWaitsForConnectionsToFinish)
}

func testShutdownWaitsForConnectionsToFinish(t *testing.T, loops int) {
	checkFDs(t)
	ts := startServer(t, Config{Grace: 3 * time.Second, Loops: loops})
	testutil.Within(t, 20*time.Second, "graceful shutdown", func() {
		c := dial(t, ts.addr)
		c.Write([]byte("x"))
		io.ReadFull(c, make([]byte, 1))
		go func() {
			time.Sleep(200 * time.Millisecond)
			c.Write([]byte("late"))
			c.CloseWrite()
		}()
		ts.stop()
		// The connection is still served during the grace period.
		if got, err := readEcho(c, 4); err != nil || string(got) != "late" {
			t.Errorf("during grace: got %q, %v; want \"late\", nil", got, err)
		} else if err := awaitClose(c); err != nil {
			t.Errorf("during grace: %v", err)
		}
		ts.shutdown(t) // returns as soon as the last connection is gone
	})
}

func TestListenErrors(t *testing.T) {
	ts := startServer(t, Config{})
	for _, tt := range []struct{ cfg Config }{
		{Config{Addr: ts.addr}},
		{Config{Addr: "nonsense"}},
		{Config{Addr: "127.0.0.1:0", Mode: "gopher"}},
		{Config{Addr: "127.0.0.1:0", Style: "fancy"}},
		{Config{Addr: "127.0.0.1:0", Mode: ModeFile}},
	} {
		ex := newExecutor(t)
		if _, err := Listen(ex, tt.cfg); err == nil {
			t.Errorf("Listen(%+v) = nil error, want one", tt.cfg)
		} else {
			t.Logf("Listen(%q): %v", tt.cfg.Addr, err)
		}
		ex.Close()
	}
}

func TestFileServer(t *testing.T) {
	checkFDs(t)
	dir := t.TempDir()
	big := loadgen.Payload(3<<20+17, 11)
	must(t, os.WriteFile(dir+"/big.bin", big, 0o644))
	must(t, os.WriteFile(dir+"/hello.txt", []byte("hello, world\n"), 0o644))
	must(t, os.WriteFile(dir+"/../secret.txt", []byte("SECRET"), 0o644))
	must(t, os.Symlink(dir+"/../secret.txt", dir+"/escape.txt"))
	root, err := os.OpenRoot(dir)
	must(t, err)
	defer root.Close()
	ts := startServer(t, Config{Mode: ModeFile, Root: root})

	ask := func(t *testing.T, line string) []byte {
		t.Helper()
		c := dial(t, ts.addr)
		prompt := make([]byte, len(Prompt))
		if _, err := io.ReadFull(c, prompt); err != nil || string(prompt) != Prompt {
			t.Fatalf("prompt: %q, %v", prompt, err)
		}
		c.Write([]byte(line))
		got, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("reading the answer to %q: %v", line, err)
		}
		return got
	}
	testutil.Within(t, 60*time.Second, "file server", func() {
		for _, tt := range []struct {
			line, want string
		}{
			{"hello.txt\n", "hello, world\n"},
			{"hello.txt\r\n", "hello, world\n"},
			{"hello.txt", "hello, world\n"}, // no line end, then EOF (via CloseWrite below)
			{"../secret.txt\n", "error: name refused: \"..\" leaves the root\n"},
			{"/etc/passwd\n", "error: name refused: absolute path\n"},
			{"escape.txt\n", "error: name refused: escape.txt leaves the root\n"},
			{"missing.txt\n", "error: no such file: missing.txt\n"},
			{"\n", "error: name refused: empty name\n"},
		} {
			t.Run(fmt.Sprintf("%q", tt.line), func(t *testing.T) {
				c := dial(t, ts.addr)
				prompt := make([]byte, len(Prompt))
				if _, err := io.ReadFull(c, prompt); err != nil || string(prompt) != Prompt {
					t.Errorf("prompt: %q, %v", prompt, err)
					return
				}
				c.Write([]byte(tt.line))
				c.CloseWrite()
				got, err := io.ReadAll(c)
				if err != nil || string(got) != tt.want {
					t.Errorf("asked for %q: got %q, %v; want %q", tt.line, got, err, tt.want)
				}
			})
		}
		t.Run("a 3 MiB file is streamed intact", func(t *testing.T) {
			if got := ask(t, "big.bin\n"); !bytes.Equal(got, big) {
				t.Errorf("big.bin: got %d bytes, want %d (equal: %v)", len(got), len(big), bytes.Equal(got, big))
			}
		})
		t.Run("a long line is refused", func(t *testing.T) {
			c := dial(t, ts.addr)
			io.ReadFull(c, make([]byte, len(Prompt)))
			c.Write(bytes.Repeat([]byte("a"), 5000))
			got, _ := io.ReadAll(c)
			if !bytes.HasPrefix(got, []byte("error: name refused")) {
				t.Errorf("5000-byte line: got %q", got)
			}
		})
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestIdleTimeoutClosesClientsThatDoNotRead: a client that sends and never
// reads stalls the server's writes; with -idle set, it is closed like a
// silent one, in both styles, instead of holding its connection forever.
func TestIdleTimeoutClosesClientsThatDoNotRead(t *testing.T) {
	for _, style := range []Style{StyleMachine, StyleCoroutine} {
		t.Run(string(style), func(t *testing.T) {
			checkFDs(t)
			ts := startServer(t, Config{Style: style, Idle: 300 * time.Millisecond})
			testutil.Within(t, 30*time.Second, "idle non-reader", func() {
				c := dial(t, ts.addr)
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				blob := loadgen.Payload(1<<20, 5)
				var err error
				for i := 0; i < 256 && err == nil; i++ { // 256 MiB: far beyond the socket buffers
					_, err = c.Write(blob)
				}
				switch {
				case err == nil:
					t.Errorf("wrote 256 MiB without reading and the server took it all")
				case errors.Is(err, os.ErrDeadlineExceeded):
					t.Errorf("client blocked for 10s: the server never closed a client that does not read (-idle 300ms)")
				}
			})
		})
	}
}

// TestFileServerIdleTimeoutClosesClientsThatDoNotRead: a client that asks for
// a large file and stops reading is closed after -idle, not held forever.
func TestFileServerIdleTimeoutClosesClientsThatDoNotRead(t *testing.T) {
	checkFDs(t)
	dir := t.TempDir()
	big := loadgen.Payload(32<<20, 12) // far beyond the socket buffers
	must(t, os.WriteFile(dir+"/big.bin", big, 0o644))
	root, err := os.OpenRoot(dir)
	must(t, err)
	defer root.Close()
	ts := startServer(t, Config{Mode: ModeFile, Root: root, Idle: 300 * time.Millisecond})
	testutil.Within(t, 30*time.Second, "file server, idle reader", func() {
		c := dial(t, ts.addr)
		c.Write([]byte("big.bin\n"))
		time.Sleep(time.Second) // not reading: the server's writes stall
		got, _ := io.ReadAll(c)
		if len(got) >= len(Prompt)+len(big) {
			t.Errorf("a client that stopped reading for 1s got all %d bytes: -idle 300ms did not close it", len(got))
		}
	})
}

// halfCloseAfter sends data, half-closes, and expects the whole echo, then
// the server's close.
func halfCloseAfter(c *net.TCPConn, data []byte) error {
	if _, err := c.Write(data); err != nil {
		return err
	}
	if err := c.CloseWrite(); err != nil {
		return err
	}
	got, err := readEcho(c, len(data))
	if err != nil {
		return err
	}
	if msg := echoMismatch(data, got); msg != "" {
		return errors.New(msg)
	}
	return awaitClose(c)
}

// testStalledBesideActive: client a writes without reading until the
// server stops reading from it, which it does only while a short write's
// leftover waits to be flushed. Then client b is echoed a few MiB through
// the same server, whose reads all go into the one shared buffer. Then a
// reads: its echo must be what it sent. A leftover kept as a window into
// the shared buffer, instead of a copy, comes back with b's bytes in it.
func testStalledBesideActive(t *testing.T, addr string) {
	a, b := dial(t, addr), dial(t, addr)
	dataA := loadgen.Payload(64<<20, 21) // far beyond the socket buffers
	written := 0
	for written < len(dataA) {
		// A write that makes no progress for 500ms: the buffers are full,
		// and the server no longer reads from a.
		_ = a.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
		n, err := a.Write(dataA[written:min(written+1<<20, len(dataA))])
		written += n
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			t.Errorf("client a, writing: %v", err)
			return
		}
	}
	if written == len(dataA) {
		t.Errorf("the server read all %d bytes from a client that reads nothing: it never stopped reading to flush what a short write left over (back-pressure)", written)
		return
	}
	dataB := loadgen.Payload(scale(4<<20, 2), 22)
	if msg := echoMismatch(dataB, pump(t, b, dataB, 0)); msg != "" {
		t.Errorf("the active client b: %s", msg)
	}
	gotA, err := readEcho(a, written)
	if err != nil {
		t.Errorf("the stalled client a: %v", err)
		return
	}
	if msg := echoMismatch(dataA[:written], gotA); msg != "" {
		i := 0
		for gotA[i] == dataA[i] {
			i++
		}
		if bytes.Contains(dataB, gotA[i:min(i+16, len(gotA))]) {
			msg = fmt.Sprintf("from byte %d on, its echo holds the bytes of client b: its unsent leftover was kept as a window into the shared read buffer, which b's reads overwrote; keep a copy", i)
		}
		t.Errorf("the stalled client a: %s", msg)
	}
}

// TestHalfClose: a client that half-closes gets the rest of its echo, then
// the server's close. The server ends the connection too (answering with a
// FIN of its own is not enough: the task must finish and free the
// descriptor), and logs it as a normal end, not as an error.
func TestHalfClose(t *testing.T) {
	for _, style := range []Style{StyleMachine, StyleCoroutine} {
		t.Run(string(style), func(t *testing.T) {
			checkFDs(t)
			var logs testutil.SyncBuffer
			ts := startServer(t, Config{Style: style, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			testutil.Within(t, 30*time.Second, "half-close", func() {
				for _, size := range []int{0, 1, 100_000} {
					c := dial(t, ts.addr)
					if err := halfCloseAfter(c, loadgen.Payload(size, 9)); err != nil {
						t.Errorf("half-close after %d bytes: %v", size, err)
						return
					}
					closed, ok := awaitLog(&logs, "msg=closed peer="+c.LocalAddr().String()+" ")
					if !ok {
						t.Errorf("half-close after %d bytes: the client got its echo and EOF, but the server did not close the connection within %v (no \"closed\" in its log): after EOF the task must finish, not wait for an event that never comes", size, closeStall)
						return
					}
					if strings.Contains(closed, " err=") {
						t.Errorf("half-close after %d bytes: the server logged it as a failure (%s): a half-close is the client's normal goodbye, not an error", size, strings.TrimSpace(closed[strings.Index(closed, "msg="):]))
						return
					}
				}
			})
		})
	}
}

// awaitLog waits up to closeStall for a line of logs that contains want,
// and returns it.
func awaitLog(logs *testutil.SyncBuffer, want string) (string, bool) {
	for deadline := time.Now().Add(closeStall); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for line := range strings.Lines(logs.String()) {
			if strings.Contains(line, want) {
				return line, true
			}
		}
	}
	return "", false
}

// Idle means no progress in either direction: a client that reads slowly
// but steadily, for longer than the idle timeout, keeps its connection and gets every
// byte. The reader below takes 64 KiB every 100ms (the loopback window
// opens in 64 KiB steps) for 2.5s, with -idle 2s; the server's send buffer is
// made small so that the kernel reports each step (see serveOne).
const (
	slowIdle  = 2 * time.Second
	slowChunk = 64 << 10
	slowPause = 100 * time.Millisecond
	slowFor   = 5 * slowIdle / 4
)

// TestIdleTimeoutSparesSlowReaders: the state machine with a 4 MiB read
// buffer, whose leftover then takes seconds to flush to this reader.
func TestIdleTimeoutSparesSlowReaders(t *testing.T) {
	checkFDs(t)
	cfg := Config{Style: StyleMachine, Idle: slowIdle, BufSize: 4 << 20}
	c, done := serveOne(t, cfg, 16<<10, func(s *Server, st *executor.Stream) future.Future[struct{}] {
		s.live++
		return s.handler(st)
	})
	testutil.Within(t, 60*time.Second, "slow reader", func() {
		want := loadgen.Payload(8<<20, 13)
		go c.Write(want) // unblocked by the close at the end
		got, err := readSlowly(c, len(want), slowFor)
		switch {
		case err != nil:
			t.Errorf("a client reading 64 KiB every 100ms: %v after %d of %d bytes: with -idle %v, a slow reader is not idle (idle means no progress in either direction)", err, len(got), len(want), slowIdle)
		case echoMismatch(want, got) != "":
			t.Errorf("a client reading slowly: %s", echoMismatch(want, got))
		}
		c.Close()
		if err := <-done; err != nil {
			t.Errorf("serving one connection: %v", err)
		}
	})
}

// TestWriteAllWithIdleSparesSlowReaders: writeAll, what the coroutine
// handler and the file server write with, fails a write only when no byte
// went out for -idle, not when the whole write takes longer.
func TestWriteAllWithIdleSparesSlowReaders(t *testing.T) {
	checkFDs(t)
	want := loadgen.Payload(4<<20, 15)
	var werr error
	c, done := serveOne(t, Config{Idle: slowIdle}, 16<<10, func(s *Server, st *executor.Stream) future.Future[struct{}] {
		return future.Async(func(co *future.Co) struct{} {
			defer st.Close()
			_, werr = future.Await(co, s.writeAll(st, want)).Get()
			return struct{}{}
		})
	})
	testutil.Within(t, 60*time.Second, "slow reader of writeAll", func() {
		got, err := readSlowly(c, len(want), slowFor)
		c.Close()
		if err := <-done; err != nil {
			t.Errorf("serving one connection: %v", err)
		}
		switch {
		case werr != nil:
			t.Errorf("writeAll of %d bytes to a client reading 64 KiB every 100ms = %v: with -idle %v, a slow reader is not idle (idle means no progress, not a slow write)", len(want), werr, slowIdle)
		case err != nil:
			t.Errorf("reading: %v after %d of %d bytes", err, len(got), len(want))
		case echoMismatch(want, got) != "":
			t.Errorf("writeAll: %s", echoMismatch(want, got))
		}
	})
}

// readSlowly reads n bytes from c: slowChunk every slowPause for d, then
// the rest at full speed.
func readSlowly(c net.Conn, n int, d time.Duration) ([]byte, error) {
	got := make([]byte, 0, n)
	buf := make([]byte, slowChunk)
	for start := time.Now(); len(got) < n && time.Since(start) < d; time.Sleep(slowPause) {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		m, err := io.ReadFull(c, buf[:min(len(buf), n-len(got))])
		got = append(got, buf[:m]...)
		if err != nil {
			return got, err
		}
	}
	rest, err := readEcho(c, n-len(got))
	return append(got, rest...), err
}

// TestFileServerStreamsInChunks: sending a file a thousand times larger
// than its chunk, the server allocates a small fraction of the file: it
// streams the file chunk by chunk and never holds it whole. (Allocation is
// counted for the whole process; the client below allocates nothing per
// read.)
func TestFileServerStreamsInChunks(t *testing.T) {
	checkFDs(t)
	dir := t.TempDir()
	size := 32 << 20
	data := loadgen.Payload(size, 16)
	must(t, os.WriteFile(dir+"/big.bin", data, 0o644))
	want := sha256.Sum256(data)
	data = nil
	root, err := os.OpenRoot(dir)
	must(t, err)
	defer root.Close()
	ts := startServer(t, Config{Mode: ModeFile, Root: root})
	testutil.Within(t, 60*time.Second, "file server memory", func() {
		c := dial(t, ts.addr)
		if _, err := io.ReadFull(c, make([]byte, len(Prompt))); err != nil {
			t.Errorf("prompt: %v", err)
			return
		}
		h := sha256.New()
		buf := make([]byte, 64<<10)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := c.Write([]byte("big.bin\n")); err != nil {
			t.Error(err)
			return
		}
		n := 0
		for {
			m, err := c.Read(buf)
			h.Write(buf[:m])
			n += m
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("after %d of %d bytes: %v", n, size, err)
				return
			}
		}
		runtime.ReadMemStats(&after)
		if got := h.Sum(nil); n != size || !bytes.Equal(got, want[:]) {
			t.Errorf("got %d bytes (sha256 %x), want the %d bytes of the file (sha256 %x)", n, got[:8], size, want[:8])
		}
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("sending a %d MiB file allocated %d KiB", size>>20, alloc>>10)
		if alloc > uint64(size/8) {
			t.Errorf("sending a %d MiB file allocated %d MiB: the server must stream it chunk by chunk, not hold it whole", size>>20, alloc>>20)
		}
	})
}
