//go:build linux

package loop

import (
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/08-io-uring/uring"
)

// TestStaleCompletionWakesNobody: a slot is reused as soon as its operation
// is freed; a CQE that still names the old generation must not reach the new
// operation (the ABA problem of stage 05's tokens, with user_data as the
// token).
func TestStaleCompletionWakesNobody(t *testing.T) {
	l := newLoop(t, Options{})
	defer l.Close()
	old := l.newOp()
	staleUD := old.userData()
	l.free(old)
	fresh := l.newOp()
	if fresh.slot != old.slot {
		t.Fatalf("newOp took slot %d, want the freed slot %d", fresh.slot, old.slot)
	}
	woken := 0
	fresh.waker = future.WakeFunc(func() { woken++ })
	l.complete(uring.CQE{UserData: staleUD, Res: 42})
	if woken != 0 || len(fresh.cqes) != 0 {
		t.Errorf("a CQE for the slot's previous operation reached its new one (woken %d times, %d CQEs)", woken, len(fresh.cqes))
	}
	if st := l.Stats(); st.Stale != 1 {
		t.Errorf("Stats().Stale = %d, want 1", st.Stale)
	}
	l.complete(uring.CQE{UserData: fresh.userData(), Res: 7})
	if woken != 1 || len(fresh.cqes) != 1 || fresh.cqes[0].Res != 7 {
		t.Errorf("the operation's own CQE: woken %d times, CQEs %v; want once, [Res 7]", woken, fresh.cqes)
	}
	l.free(fresh)
}

// TestOneEnterPerTurn: however many operations a turn starts and finishes,
// it makes one io_uring_enter. Fifty tasks each sleep twenty times.
func TestOneEnterPerTurn(t *testing.T) {
	l := newLoop(t, Options{})
	st := run(t, l, "fifty sleepers", future.Async(func(co *future.Co) Stats {
		done := 0
		for range 50 {
			Spawn(l, future.Async(func(co *future.Co) struct{} {
				for range 20 {
					future.Await(co, l.Sleep(time.Millisecond))
				}
				done++
				return struct{}{}
			}))
		}
		for done < 50 {
			future.Await(co, l.Sleep(5*time.Millisecond))
		}
		return l.Stats()
	}))
	// This turn has run its tasks but not yet entered.
	if st.Enters != st.Turns-1 {
		t.Errorf("%d turns made %d io_uring_enter calls; want one per turn", st.Turns-1, st.Enters)
	}
	if st.Submitted < 1000 || st.Turns > st.Submitted {
		t.Errorf("%d SQEs in %d turns: the turns did not batch", st.Submitted, st.Turns)
	}
}
