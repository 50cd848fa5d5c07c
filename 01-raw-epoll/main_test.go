//go:build linux

package main

import (
	"fmt"
	"testing"

	"github.com/async-from-scratch/course/internal/testutil"
	"golang.org/x/sys/unix"
)

func TestDemosPrintsOnlyTheNames(t *testing.T) {
	out, _, err := testutil.RunProgram(t, run, "demos")
	if err != nil || out != "exchange\ntimeout\n" {
		t.Errorf("run(demos) = %q, %v; want %q, nil", out, err, "exchange\ntimeout\n")
	}
}

func TestEachDemoRuns(t *testing.T) {
	testutil.RunDemos(t, run, []testutil.DemoCase{
		{Args: nil, Want: []string{"demos (go run ./01-raw-epoll <demo> [flags]):", "  exchange  ", "  timeout   ", `running "exchange":`, "rounds:  3 PING/PONG round trips in "}},
		{Args: []string{"exchange"}, Want: []string{"rounds:  3 PING/PONG round trips in ", "events:  ", "bytes:   server->client 12 written, 12 read; client->server 12 written, 12 read"}},
		{Args: []string{"exchange", "-v", "-rounds", "2"}, Want: []string{"event: listener readable", `  client: received "PING", as expected`, "rounds:  2 PING/PONG"}},
		{Args: []string{"-rounds", "4"}, Want: []string{"rounds:  4 PING/PONG"}},
		{Args: []string{"exchange", "-rounds", "0", "-duration", "50ms"}, Want: []string{"PING/PONG round trips in "}},
		{Args: []string{"timeout", "-wait", "20ms"}, Want: []string{"epoll_wait(timeout 20ms) on an empty interest list: 0 events after "}},
		{Args: []string{"timeout"}, Want: []string{"epoll_wait(timeout 100ms) on an empty interest list: 0 events after "}},
		{Args: []string{"exchange", "-h"}, Want: []string{"usage of exchange:", "-rounds"}},
		{Args: []string{"-h"}, Want: []string{"  timeout   epoll_wait", "usage of exchange:", "-rounds"}},
	})
}

func TestBadInputFailsWithOneClearLine(t *testing.T) {
	checkNoLeak(t)
	_, inUse := listenAtEnd(t)
	testutil.RunErrors(t, run, []testutil.ErrorCase{
		{Args: []string{"nope"}, Want: `unknown demo "nope"; the demos are: exchange, timeout`},
		{Args: []string{"-addr", "localhost:80"}, Want: `-addr: bad address "localhost:80": want a numeric IPv4 address and a port`, Is: errBadAddress},
		{Args: []string{"-addr", "0.0.0.0:7878"}, Want: `-addr: bad address "0.0.0.0:7878": not a loopback address`, Is: errBadAddress},
		{Args: []string{"-addr", "[::1]:0"}, Want: "IPv6 is not supported", Is: errBadAddress},
		{Args: []string{"exchange", "-addr", inUse.String()}, Want: fmt.Sprintf("bind %v: address already in use", inUse), Is: unix.EADDRINUSE},
		{Args: []string{"-rounds", "-1"}, Want: "-rounds -1: want 0 or more"},
		{Args: []string{"-duration", "0s"}, Want: "-duration 0s: want a positive time bound"},
		{Args: []string{"-bogus"}, Want: "exchange: flag provided but not defined: -bogus"},
		{Args: []string{"exchange", "extra"}, Want: `exchange: unexpected argument "extra"`},
		{Args: []string{"timeout", "-wait", "1h"}, Want: "-wait 1h0m0s: want 0 to 10s"},
		{Args: []string{"demos", "extra"}, Want: `demos: unexpected argument "extra"`},
	})
}
