package chat

import (
	"bytes"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
)

func TestProtocol(t *testing.T) {
	ts := startServer(t, Config{})
	a := ts.dial(t)
	b := ts.dial(t)
	a.expect("* " + b.name + " joined")
	a.send("hello, b")
	b.expect(a.name + ": hello, b")
	b.send("hi\r") // a trailing \r is dropped
	a.expect(b.name + ": hi")

	a.send("/nick alice")
	a.expect("* " + a.name + " is now alice")
	b.expect("* " + a.name + " is now alice")
	b.send("/nick alice", "/nick no spaces", "/nick "+strings.Repeat("x", 33), "/nick", "/nick bob_2-B")
	b.expect("! nickname alice is taken")
	b.expect("! a nickname is 1 to 32 letters, digits, _ or -")
	b.expect("! a nickname is 1 to 32 letters, digits, _ or -")
	b.expect("! a nickname is 1 to 32 letters, digits, _ or -")
	b.expect("* " + b.name + " is now bob_2-B")
	a.expect("* " + b.name + " is now bob_2-B")
	a.send("/who")
	a.expect("* online: alice, bob_2-B")
	a.send("/dance")
	a.expect("! unknown command /dance; try /nick NAME, /who, /quit")

	b.send("last words", "/quit", "never sent")
	a.expect("bob_2-B: last words")
	a.expect("* bob_2-B left")
	if rest := b.eof(); rest != "" {
		t.Errorf("after /quit b read %q, want nothing more and EOF", rest)
	}
	a.send("/who")
	a.expect("* online: alice")
}

// The sender never gets its own line back: after its message and a /who
// the next line it reads is the /who answer.
func TestSenderDoesNotGetItsOwnLine(t *testing.T) {
	ts := startServer(t, Config{})
	a := ts.dial(t)
	a.send("echo?", "/who")
	a.expect("* online: " + a.name)
}

func TestGarbageAndLongLines(t *testing.T) {
	ts := startServer(t, Config{})
	a := ts.dial(t)
	b := ts.dial(t)
	a.until(func(s string) bool { return strings.HasSuffix(s, " joined") })
	garbage := "\x00\xff\xfe bytes \xc3\x28 and NUL\x00"
	exact := strings.Repeat("y", MaxLine) // 4096 bytes is allowed; 4097 is too long
	b.send(garbage, strings.Repeat("x", MaxLine+1), exact, strings.Repeat("z", 3*MaxLine+7), "still here")
	a.expect(b.name + ": " + garbage)
	a.expect(b.name + ": " + exact)
	a.expect(b.name + ": still here")
	b.expect("! line too long")
	b.expect("! line too long")
	// Split across writes: a long line that arrives in pieces.
	for range 3 {
		b.c.Write(bytes.Repeat([]byte("w"), 2000))
		time.Sleep(time.Millisecond)
	}
	b.send("", "after")
	b.expect("! line too long")
	a.expect(b.name + ": after")
}

// 500 clients; 10 of them send 20 messages each; every client receives
// every message of the others exactly once, in order per sender.
func TestBroadcastTo500Clients(t *testing.T) {
	const clients, senders, each = 500, 10, 20
	ts := startServer(t, Config{})
	start := time.Now()
	cs := make([]*chatter, clients)
	var dialers sync.WaitGroup
	for d := range 10 { // ten at a time, so that the joins' announcements batch
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for i := d; i < clients; i += 10 {
				c, err := ts.connect(t, net.Dialer{})
				if err != nil {
					t.Error(err)
					return
				}
				cs[i] = c
			}
		}()
	}
	dialers.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d clients joined after %v", clients, time.Since(start))
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := (senders - 1) * each
			if i >= senders {
				want = senders * each
			}
			next := map[string]int{}
			c.c.SetReadDeadline(time.Now().Add(30 * time.Second))
			for got := 0; got < want; {
				s, err := c.r.ReadString('\n')
				if err != nil {
					errs <- fmt.Errorf("%s: after %d of %d messages: %v", c.name, got, want, err)
					return
				}
				if strings.HasPrefix(s, "* ") {
					continue // joins
				}
				var from string
				var n int
				if _, err := fmt.Sscanf(s, "%s message %d\n", &from, &n); err != nil {
					errs <- fmt.Errorf("%s: unexpected line %q", c.name, s)
					return
				}
				from = strings.TrimSuffix(from, ":")
				if from == c.name {
					errs <- fmt.Errorf("%s got its own message back", c.name)
					return
				}
				if n != next[from] {
					errs <- fmt.Errorf("%s: from %s got message %d, want %d (once each, in order)", c.name, from, n, next[from])
					return
				}
				next[from]++
				got++
			}
		}()
	}
	for i := range senders {
		go func() {
			var b strings.Builder
			for n := range each {
				fmt.Fprintf(&b, "message %d\n", n)
			}
			cs[i].c.Write([]byte(b.String()))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ts.shutdown(20 * time.Second)
	if ts.stats.Messages != senders*each || ts.stats.Kicked != 0 {
		t.Errorf("stats %+v, want %d messages and nobody kicked", ts.stats, senders*each)
	}
}

// Two clients ask for the same name at once, many times: the hub decides
// each race, so exactly one wins.
func TestNickRace(t *testing.T) {
	ts := startServer(t, Config{})
	a := ts.dial(t)
	b := ts.dial(t)
	a.until(func(s string) bool { return strings.HasSuffix(s, " joined") })
	for round := range 20 {
		name := fmt.Sprintf("name%d", round)
		var wg sync.WaitGroup
		for _, c := range []*chatter{a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); c.c.Write([]byte("/nick " + name + "\n")) }()
		}
		wg.Wait()
		won := 0
		for _, c := range []*chatter{a, b} {
			// Each reads the rename (whoever won) and, if it lost, its refusal.
			s := c.until(func(s string) bool { return strings.HasSuffix(s, " is now "+name) || strings.HasPrefix(s, "! ") })
			if strings.HasPrefix(s, "! ") {
				if s != "! nickname "+name+" is taken" {
					t.Fatalf("round %d: %q", round, s)
				}
				c.until(func(s string) bool { return strings.HasSuffix(s, " is now "+name) })
			} else {
				old := strings.TrimPrefix(strings.TrimSuffix(s, " is now "+name), "* ")
				if old == c.name {
					won++
					c.name = name
				} else {
					c.expect("! nickname " + name + " is taken")
				}
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d clients got %s, want exactly 1", round, won, name)
		}
	}
}

// A client that stops reading while others chat fills its queue and is
// disconnected; the others get every message; the server never holds more
// than the byte limit for it.
func TestSlowConsumerIsDisconnected(t *testing.T) {
	const queueBytes, messages = 64 << 10, 8000
	var log testutil.SyncBuffer
	ts := startServer(t, Config{QueueBytes: queueBytes, QueueLines: 1 << 20,
		Logger: slog.New(slog.NewTextHandler(&log, nil))})
	slow := ts.dialSmall(t)
	sender := ts.dial(t)
	fast := ts.dial(t)
	sender.until(func(s string) bool { return s == "* "+fast.name+" joined" })
	// slow never reads again. The sender sends rounds of 32 messages of
	// ~1 KiB, each once fast has read the last: a fast reader never has
	// more than 32 KiB queued, while 8 MiB pile up for slow, twice what
	// the socket buffers can hold (the kernel lets a send buffer grow to
	// 4 MiB here, net.ipv4.tcp_wmem) plus its queue.
	payload := strings.Repeat("p", 1000)
	left := false
	const round = 32
	// The others' latency, asserted: each round must reach fast within
	// roundBound, including the rounds in which slow's socket is full and
	// its queue fills up. A round takes milliseconds, even on a loaded
	// machine; a hub that waited for slow would never finish the round in
	// which slow's queue is full, because slow never reads again.
	const roundBound = 5 * time.Second
	var slowest time.Duration
	for i := 0; i < messages; {
		roundStart := time.Now()
		var b strings.Builder
		for n := i; n < i+round; n++ {
			fmt.Fprintf(&b, "%d %s\n", n, payload)
		}
		sender.c.SetWriteDeadline(roundStart.Add(roundBound))
		if _, err := sender.c.Write([]byte(b.String())); err != nil {
			t.Fatalf("round %d: the sender could not write its round within %v (%v): the server stopped reading it while %s read nothing", i/round, roundBound, err, slow.name)
		}
		fast.c.SetReadDeadline(roundStart.Add(roundBound))
		for end := i + round; i < end; {
			s, err := fast.r.ReadString('\n')
			if err != nil {
				state := "still connected, reading nothing"
				if left {
					state = "already disconnected"
				}
				t.Fatalf("round %d: the fast client got %d of %d broadcasts within %v (the slowest round before took %v) while %s was %s: one client that does not read stalls the others; the hub must disconnect it, not wait for it (%v)",
					i/round, round-(end-i), round, roundBound, slowest, slow.name, state, err)
			}
			s = strings.TrimSuffix(s, "\n")
			switch {
			case s == "* "+slow.name+" left":
				left = true
			case strings.HasPrefix(s, sender.name+": "):
				var n int
				fmt.Sscanf(strings.TrimPrefix(s, sender.name+": "), "%d", &n)
				if n != i {
					t.Fatalf("fast client got message %d, want %d", n, i)
				}
				i++
			default:
				t.Fatalf("fast client got %q", s)
			}
		}
		slowest = max(slowest, time.Since(roundStart))
	}
	if !left {
		t.Errorf("the others were not told that %s left: a client that never reads was not disconnected (it would hold the server's memory forever)", slow.name)
	} else {
		// The server closes the slow client's connection by itself, while
		// the client still reads nothing (its writer was waiting for the
		// socket, not for its queue: the kick must wake it).
		closed := "msg=closed peer=" + slow.c.LocalAddr().String() + " client=" + slow.name
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log.String(), closed); {
			if time.Now().After(deadline) {
				t.Fatalf("%s was kicked but its connection is still open after 10 s: its writer, waiting for the socket, was not woken", slow.name)
			}
			time.Sleep(5 * time.Millisecond)
		}
		rest := slow.eof()
		t.Logf("the slow client read %d bytes before EOF; ends with \"! too slow\": %v", len(rest), strings.HasSuffix(rest, "! too slow\n"))
	}
	ts.shutdown(20 * time.Second)
	if ts.stats.Kicked != 1 {
		t.Errorf("%d clients kicked, want 1", ts.stats.Kicked)
	}
	if ts.stats.PeakQueuedBytes > queueBytes {
		t.Errorf("the server queued %d bytes for one client, more than QueueBytes = %d: memory is not bounded", ts.stats.PeakQueuedBytes, queueBytes)
	}
	t.Logf("the slowest of %d rounds took %v (bound %v)", messages/round, slowest, roundBound)
}

func TestQuitFlushesWhatIsOwed(t *testing.T) {
	ts := startServer(t, Config{})
	a := ts.dial(t)
	b := ts.dial(t)
	a.until(func(s string) bool { return strings.HasSuffix(s, " joined") })
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("line %d %s", i, strings.Repeat("q", 500)))
	}
	b.send(lines...)
	b.send("/who") // the hub handles b's lines in order: its answer means all 300 are queued for a
	b.until(func(s string) bool { return strings.HasPrefix(s, "* online: ") })
	a.send("/quit") // a has not read any of them yet
	rest := a.eof()
	for i := range 300 {
		if !strings.Contains(rest, fmt.Sprintf("%s: line %d ", b.name, i)) {
			t.Fatalf("after /quit, a did not get line %d of what it was owed before EOF", i)
		}
	}
}

func TestShutdownTellsEveryClient(t *testing.T) {
	ts := startServer(t, Config{Grace: 2 * time.Second})
	var cs []*chatter
	for range 20 {
		cs = append(cs, ts.dial(t))
	}
	start := time.Now()
	ts.shutdown(20 * time.Second)
	for _, c := range cs {
		rest := c.eof()
		if !strings.HasSuffix(rest, "* server shutting down\n") {
			t.Errorf("%s read %q before EOF, want it to end with \"* server shutting down\\n\"", c.name, rest)
		}
	}
	t.Logf("shutdown took %v", time.Since(start))
}

// A client that never reads holds the shutdown for at most Grace.
func TestShutdownWithinGrace(t *testing.T) {
	const grace = 300 * time.Millisecond
	ts := startServer(t, Config{Grace: grace, QueueBytes: 1 << 30, QueueLines: 1 << 20})
	stuck := ts.dialSmall(t) // reads nothing, and its kernel buffers take little
	talker := ts.dial(t)
	stuck.line() // joined
	big := strings.Repeat("b", 4000)
	var lines []string
	for range 2000 { // 8 MB: more than the socket buffers hold
		lines = append(lines, big)
	}
	talker.send(lines...)
	talker.send("/who")
	talker.until(func(s string) bool { return strings.HasPrefix(s, "* online") })
	start := time.Now()
	ts.shutdown(20 * time.Second)
	// 8 MB is twice what the socket buffers hold, so the stuck client's
	// writer is still waiting when the grace period ends.
	if d := time.Since(start); d < grace || d > 10*time.Second {
		t.Errorf("shutdown took %v with a client that does not read, want about Grace = %v (at least Grace: it was owed data; not forever)", d, grace)
	}
}

// Random bytes from several clients at once, read by nobody: the server
// survives (some of them are kicked as too slow), and still answers.
func TestRandomBytesNeverCrashTheServer(t *testing.T) {
	ts := startServer(t, Config{QueueBytes: 64 << 10})
	var wg sync.WaitGroup
	for seed := range 5 {
		c := ts.dial(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			buf := make([]byte, 200<<10)
			for i := range buf {
				buf[i] = byte(rng.UintN(256))
				if rng.UintN(64) == 0 {
					buf[i] = '\n' // some lines short enough to be messages
				}
			}
			c.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			c.c.Write(buf)
		}()
	}
	wg.Wait()
	probe := ts.dial(t)
	probe.send("/who")
	probe.until(func(s string) bool { return strings.HasPrefix(s, "* online: ") })
	ts.shutdown(20 * time.Second)
}

// A burst larger than a client's queue, handled by the hub in one go
// before the client's writer runs: the queue overflows while the socket is
// still empty, so the client is kicked and does get the reason.
func TestTooSlowIsSaidWhenTheSocketTakesIt(t *testing.T) {
	ts := startServer(t, Config{QueueLines: 4})
	victim := ts.dial(t)
	sender := ts.dial(t)
	victim.expect("* " + sender.name + " joined")
	var burst []string
	for i := range 10 {
		burst = append(burst, fmt.Sprint("burst ", i))
	}
	sender.send(burst...) // one write: one read, ten events, one turn of the hub
	sender.expect("* " + victim.name + " left")
	if rest := victim.eof(); !strings.HasSuffix(rest, "! too slow\n") {
		t.Errorf("the kicked client read %q before EOF, want it to end with \"! too slow\\n\"", rest)
	}
}
