package lab

import (
	"errors"
	"testing"
	"time"

	"github.com/async-from-scratch/course/05-executor/executor"
)

func exchange(t *testing.T, peer Peer, n, inboxCap int, watchdog time.Duration) executor.Result[[2]int] {
	t.Helper()
	ex, err := executor.New(executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var r executor.Result[[2]int]
	r, err = executor.BlockOn(ex, Exchange(ex, peer, n, inboxCap, ex.Sleep(watchdog)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The deadlock, on purpose: the watchdog fires with both inboxes full.
func TestSendThenReceiveDeadlocks(t *testing.T) {
	r := exchange(t, SendThenReceive, 10, 2, 200*time.Millisecond)
	if !errors.Is(r.Err, ErrDeadlock) {
		t.Fatalf("Exchange(SendThenReceive, 10 values, inboxes of 2) = %v, %v; want ErrDeadlock", r.Value, r.Err)
	}
	if r.Value != [2]int{2, 2} {
		t.Errorf("inboxes held %v at the deadlock, want both full [2 2]", r.Value)
	}
}

// A small exchange fits in the inboxes: no deadlock, which is why the bug
// hides in tests with little traffic.
func TestSendThenReceiveWorksWhileTheInboxesHoldEverything(t *testing.T) {
	r := exchange(t, SendThenReceive, 2, 2, 10*time.Second)
	if r.Err != nil || r.Value != [2]int{2, 2} {
		t.Errorf("Exchange(SendThenReceive, 2 values, inboxes of 2) = %v, %v; want [2 2], nil", r.Value, r.Err)
	}
}

func TestSendWhileReceivingDoesNotDeadlock(t *testing.T) {
	const n = 5000
	r := exchange(t, SendWhileReceiving, n, 2, 20*time.Second)
	if r.Err != nil || r.Value != [2]int{n, n} {
		t.Errorf("Exchange(SendWhileReceiving, %d values, inboxes of 2) = %v, %v; want [%d %d], nil", n, r.Value, r.Err, n, n)
	}
}
