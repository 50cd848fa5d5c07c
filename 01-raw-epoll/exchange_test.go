//go:build linux

package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// exchangeWithin runs the exchange under a watchdog.
func exchangeWithin(t *testing.T, cfg config) (st stats, err error) {
	t.Helper()
	testutil.Within(t, cfg.duration+10*time.Second, "runExchange", func() {
		st, err = runExchange(cfg)
	})
	return st, err
}

func TestExchangeVerifiesBytesBothWays(t *testing.T) {
	for _, tt := range []struct {
		name  string
		chunk int
	}{
		{"reads of 512 bytes", 512},
		{"reads of one byte, accumulated into messages", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeak(t)
			const rounds = 5
			st, err := exchangeWithin(t, config{addr: loopback, rounds: rounds, duration: 20 * time.Second, chunk: tt.chunk})
			if err != nil {
				t.Fatalf("runExchange = %v", err)
			}
			want := [2]int{rounds * msgLen, rounds * msgLen}
			if st.rounds != rounds {
				t.Errorf("rounds = %d, want %d", st.rounds, rounds)
			}
			if diff := cmp.Diff(want, st.toPeer); diff != "" {
				t.Errorf("bytes written [server, client] (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, st.fromNet); diff != "" {
				t.Errorf("bytes read [server, client] (-want +got):\n%s", diff)
			}
			// At least: accept, connect, and one event per message.
			if st.events < 2+2*rounds || st.waits < 1 {
				t.Errorf("events = %d from %d waits; want at least %d events", st.events, st.waits, 2+2*rounds)
			}
			if !st.addr.Addr().IsLoopback() || st.addr.Port() == 0 {
				t.Errorf("listened on %v, want a loopback address with a real port", st.addr)
			}
		})
	}
}

func TestExchangeTraceShowsEventsReadsAndWrites(t *testing.T) {
	checkNoLeak(t)
	var trace strings.Builder
	if _, err := exchangeWithin(t, config{addr: loopback, rounds: 1, duration: 20 * time.Second, chunk: 512, trace: &trace}); err != nil {
		t.Fatalf("runExchange = %v", err)
	}
	for _, want := range []string{
		"client connect: in progress = true",
		"event: listener readable",
		"  server: accepted 127.0.0.1:",
		"  client: connected (SO_ERROR = 0)",
		`  server: wrote "PING"`,
		`  client: received "PING", as expected`,
		`  client: wrote "PONG"`,
		`  server: received "PONG", as expected`,
	} {
		if !strings.Contains(trace.String(), want) {
			t.Errorf("trace lacks %q; trace:\n%s", want, trace.String())
		}
	}
}

func TestExchangeStopsAtTimeBound(t *testing.T) {
	checkNoLeak(t)
	const d = 250 * time.Millisecond
	st, err := exchangeWithin(t, config{addr: loopback, rounds: 0, duration: d, chunk: 512})
	if err != nil {
		t.Fatalf("runExchange(rounds 0, duration %v) = %v, want nil", d, err)
	}
	if st.rounds == 0 || st.elapsed < d {
		t.Errorf("rounds = %d after %v; want some rounds, and no stop before %v", st.rounds, st.elapsed, d)
	}
	t.Logf("%d rounds in %v", st.rounds, st.elapsed)
}

func TestExchangeReportsRoundsThatDidNotFit(t *testing.T) {
	checkNoLeak(t)
	_, err := exchangeWithin(t, config{addr: loopback, rounds: 1 << 30, duration: 50 * time.Millisecond, chunk: 512})
	if err == nil || !strings.Contains(err.Error(), "rounds done within -duration 50ms") {
		t.Errorf("runExchange(too many rounds) = %v; want an error saying how many rounds were done", err)
	}
}

func TestExchangeOnPortInUse(t *testing.T) {
	checkNoLeak(t)
	_, addr := listenAtEnd(t)
	_, err := exchangeWithin(t, config{addr: addr, rounds: 1, duration: time.Second, chunk: 512})
	if !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("runExchange(-addr %v, in use) = %v; want EADDRINUSE", addr, err)
	}
}

// Each side checks every message it reads. On a real connection, the reading
// end either accepts the message and sends its answer, or stops the exchange
// with an error that says what it read and what it wanted, sending nothing.
func TestProgressChecksEachMessage(t *testing.T) {
	for _, tt := range []struct {
		name    string
		reader  string // "client" or "server": the end that reads
		sent    string // what its peer wrote
		wantErr string // "" means accepted
		reply   string // what the reader sent back
	}{
		{"client answers PING with PONG", "client", "PING", "", "PONG"},
		{"client refuses PONG", "client", "PONG", `client: read "PONG", want "PING"`, ""},
		{"server counts PONG and sends the next PING", "server", "PONG", "", "PING"},
		{"server refuses garbage", "server", "PINX", `server: read "PINX", want "PONG"`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkNoLeak(t)
			sfd, cfd := tcpPair(t)
			x := &exchange{cfg: config{rounds: 3}}
			x.server = newConn("server", sfd, pong, 512, nil)
			x.client = newConn("client", cfd, ping, 512, nil)
			c, peer := x.client, sfd
			if tt.reader == "server" {
				c, peer = x.server, cfd
			}
			writeAll(t, peer, tt.sent)
			waitFor(t, c.fd, unix.EPOLLIN)

			err := x.progress(c)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("progress(%s) after reading %q = %v, want nil", tt.reader, tt.sent, err)
			}
			if tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
				t.Fatalf("progress(%s) after reading %q = %v, want %q", tt.reader, tt.sent, err, tt.wantErr)
			}
			if wantRounds := len(tt.reply) / msgLen; tt.reader == "server" && x.rounds != wantRounds {
				t.Errorf("rounds = %d, want %d", x.rounds, wantRounds)
			}
			if c.sent != len(tt.reply) {
				t.Fatalf("%s sent %d bytes, want %d (%q)", tt.reader, c.sent, len(tt.reply), tt.reply)
			}
			if tt.reply == "" {
				return
			}
			waitFor(t, peer, unix.EPOLLIN)
			buf := make([]byte, 16)
			if n, err := readFD(peer, buf); err != nil || string(buf[:n]) != tt.reply {
				t.Errorf("peer read %q, %v; want %q", buf[:n], err, tt.reply)
			}
		})
	}
}

// The listener is edge-triggered, so one readable event must empty the whole
// accept queue: connections left queued get no event of their own. Two
// clients wait in the queue; acceptAll takes both (keeping the first as the
// server, closing the stranger) and leaves the queue empty.
func TestAcceptAllEmptiesTheQueue(t *testing.T) {
	checkNoLeak(t)
	lfd, addr := listenAtEnd(t)
	for range 2 {
		cfd, _, err := dial(addr)
		if err != nil {
			t.Fatalf("dial(%v) = %v", addr, err)
		}
		closeAtEnd(t, cfd)
	}
	waitQueued(t, lfd, 2)
	epfd, err := epollCreate()
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, epfd)
	x := &exchange{epfd: epfd, lfd: lfd, cfg: config{chunk: 512}}
	if err := x.acceptAll(); err != nil {
		t.Fatalf("acceptAll() = %v", err)
	}
	if x.server == nil {
		t.Fatal("acceptAll() accepted no server connection")
	}
	closeAtEnd(t, x.server.fd)
	if fd, _, err := accept(lfd); !errors.Is(err, unix.EAGAIN) {
		closeFD(fd)
		t.Errorf("accept after acceptAll = %v; want EAGAIN: a connection was left in the queue", err)
	}
}

// waitQueued waits until n connections sit in the accept queue of lfd. The
// client's side of a handshake ends a moment before the listener's, so a
// writable client does not yet prove its connection is queued; for a
// listening socket, TCP_INFO's tcpi_unacked is the accept queue's length.
func waitQueued(t *testing.T, lfd int, n uint32) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		info, err := unix.GetsockoptTCPInfo(lfd, unix.IPPROTO_TCP, unix.TCP_INFO)
		if err != nil {
			t.Fatalf("getsockopt(TCP_INFO) = %v", err)
		}
		if info.Unacked >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("accept queue holds %d connections after 5s, want %d", info.Unacked, n)
		}
	}
}
