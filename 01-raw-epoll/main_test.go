//go:build linux

package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/async-from-scratch/course/internal/testutil"
	"golang.org/x/sys/unix"
)

// runWithin calls run under a watchdog and returns what it printed.
func runWithin(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return testutil.RunProgram(t, run, args...)
}

func TestDemosPrintsOnlyTheNames(t *testing.T) {
	out, _, err := runWithin(t, "demos")
	if err != nil || out != "exchange\ntimeout\n" {
		t.Errorf("run(demos) = %q, %v; want %q, nil", out, err, "exchange\ntimeout\n")
	}
}

func TestEachDemoRuns(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string // lines (or line prefixes) the output must contain
	}{
		{nil, []string{"demos (go run ./01-raw-epoll <demo> [flags]):", "  exchange  ", "  timeout   ", `running "exchange":`, "rounds:  3 PING/PONG round trips in "}},
		{[]string{"exchange"}, []string{"rounds:  3 PING/PONG round trips in ", "events:  ", "bytes:   server->client 12 written, 12 read; client->server 12 written, 12 read"}},
		{[]string{"exchange", "-v", "-rounds", "2"}, []string{"event: listener readable", `  client: received "PING", as expected`, "rounds:  2 PING/PONG"}},
		{[]string{"-rounds", "4"}, []string{"rounds:  4 PING/PONG"}},
		{[]string{"exchange", "-rounds", "0", "-duration", "50ms"}, []string{"PING/PONG round trips in "}},
		{[]string{"timeout", "-wait", "20ms"}, []string{"epoll_wait(timeout 20ms) on an empty interest list: 0 events after "}},
		{[]string{"timeout"}, []string{"epoll_wait(timeout 100ms) on an empty interest list: 0 events after "}},
		{[]string{"exchange", "-h"}, []string{"usage of exchange:", "-rounds"}},
		{[]string{"-h"}, []string{"  timeout   epoll_wait", "usage of exchange:", "-rounds"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			checkNoLeak(t)
			out, errOut, err := runWithin(t, tt.args...)
			if err != nil || errOut != "" {
				t.Fatalf("run(%q) = %v, stderr %q; want nil", tt.args, err, errOut)
			}
			testutil.WantLines(t, out, tt.want...)
		})
	}
}

func TestBadInputFailsWithOneClearLine(t *testing.T) {
	checkNoLeak(t)
	_, inUse := listenAtEnd(t)
	for _, tt := range []struct {
		args   []string
		want   string // the error text must contain this
		wantIs error  // and errors.Is it, if not nil
	}{
		{[]string{"nope"}, `unknown demo "nope"; the demos are: exchange, timeout`, nil},
		{[]string{"-addr", "localhost:80"}, `-addr: bad address "localhost:80": want a numeric IPv4 address and a port`, errBadAddress},
		{[]string{"-addr", "0.0.0.0:7878"}, `-addr: bad address "0.0.0.0:7878": not a loopback address`, errBadAddress},
		{[]string{"-addr", "[::1]:0"}, "IPv6 is not supported", errBadAddress},
		{[]string{"exchange", "-addr", inUse.String()}, fmt.Sprintf("bind %v: address already in use", inUse), unix.EADDRINUSE},
		{[]string{"-rounds", "-1"}, "-rounds -1: want 0 or more", nil},
		{[]string{"-duration", "0s"}, "-duration 0s: want a positive time bound", nil},
		{[]string{"-bogus"}, "exchange: flag provided but not defined: -bogus", nil},
		{[]string{"exchange", "extra"}, `exchange: unexpected argument "extra"`, nil},
		{[]string{"timeout", "-wait", "1h"}, "-wait 1h0m0s: want 0 to 10s", nil},
		{[]string{"demos", "extra"}, `demos: unexpected argument "extra"`, nil},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, _, err := runWithin(t, tt.args...)
			testutil.WantOneLineError(t, fmt.Sprintf("run(%q)", tt.args), err, tt.want)
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("run(%q) = %v; want errors.Is(err, %v)", tt.args, err, tt.wantIs)
			}
		})
	}
}
