package event

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/internal/testutil"
	"github.com/google/go-cmp/cmp"
)

// "Expect an event" polls wait this long: an event that is ready returns at
// once, so the bound only matters when something is broken.
const soon = 2 * time.Second

func TestSetWakesPollBlockedForever(t *testing.T) {
	p, reg, set := setup(t, 7, poll.Level)
	var got []poll.Event
	testutil.Within(t, 10*time.Second, "Poll(events, Forever) after a Set from another goroutine", func() {
		go func() {
			time.Sleep(20 * time.Millisecond) // let the poller fall asleep first
			if err := set.Set(); err != nil {
				t.Errorf("Set() = %v", err)
			}
		}()
		events := poll.NewEvents(4)
		if _, err := p.Poll(events, poll.Forever); err != nil {
			t.Errorf("Poll(events, Forever) = %v", err)
			return
		}
		for ev := range events.All() {
			got = append(got, ev)
		}
	})
	want := []poll.Event{{Token: 7, Readable: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events after Set (-want +got):\n%s", diff)
	}
	if err := reg.Clear(); err != nil {
		t.Errorf("Clear() = %v", err)
	}
}

// TestModes runs a small script per mode: "set", "clear", "rearm" act on
// the user event, "poll" expects one event, "quiet" expects none.
func TestModes(t *testing.T) {
	tests := []struct {
		name   string
		mode   poll.Mode
		script []string
	}{
		{"level stays ready until Clear", poll.Level,
			[]string{"set", "poll", "poll", "poll", "clear", "quiet", "set", "poll", "clear", "quiet"}},
		{"edge reports each new readiness once", poll.Edge,
			[]string{"set", "poll", "quiet", "set", "quiet", "clear", "quiet", "set", "poll", "quiet"}},
		{"oneshot needs Reregister", poll.Oneshot,
			[]string{"set", "poll", "quiet", "clear", "set", "quiet", "rearm", "poll", "quiet", "clear", "rearm", "quiet"}},
		{"a Set before Register is reported after it", poll.Edge,
			[]string{"deregister", "set", "register", "poll", "clear", "quiet"}},
		{"edge: a Set not yet polled survives Reregister", poll.Edge,
			[]string{"set", "rearm", "poll", "quiet", "clear", "set", "poll"}},
		{"oneshot: a Set not yet polled survives Reregister", poll.Oneshot,
			[]string{"set", "rearm", "poll", "quiet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const tok = 3
			p, reg, set := setup(t, tok, tt.mode)
			for i, step := range tt.script {
				var err error
				switch step {
				case "set":
					err = set.Set()
				case "clear":
					err = reg.Clear()
				case "rearm":
					err = reg.Reregister(p, tok, tt.mode)
				case "deregister":
					err = reg.Deregister(p)
				case "register":
					err = reg.Register(p, tok, tt.mode)
				case "poll":
					if got := pollTokens(t, p, soon); !cmp.Equal(got, []poll.Token{tok}) {
						t.Fatalf("step %d (%s): Poll reported tokens %v, want [%d]", i, step, got, tok)
					}
				case "quiet":
					if got := pollTokens(t, p, 20*time.Millisecond); len(got) != 0 {
						t.Fatalf("step %d (%s): Poll reported tokens %v, want none", i, step, got)
					}
				}
				if err != nil {
					t.Fatalf("step %d (%s) = %v", i, step, err)
				}
			}
		})
	}
}

// TestCoalesce is the grading test of ex_coalesce: however many Sets arrive
// before the loop clears, only the first makes a syscall.
func TestCoalesce(t *testing.T) {
	t.Run("a thousand Sets make one syscall and one event", func(t *testing.T) {
		p, reg, set := setup(t, 1, poll.Edge)
		for range 1000 {
			if err := set.Set(); err != nil {
				t.Fatalf("Set() = %v", err)
			}
		}
		if got := set.Wakeups(); got != 1 {
			t.Errorf("after 1000 Sets, Wakeups() = %d, want 1: only the Set that finds the event idle makes the syscall; the others coalesce into the wakeup already on its way", got)
		}
		if got := pollTokens(t, p, soon); len(got) != 1 {
			t.Errorf("Poll reported %v, want one event", got)
		}
		if err := reg.Clear(); err != nil {
			t.Fatalf("Clear() = %v", err)
		}
		if err := set.Set(); err != nil {
			t.Fatalf("Set() = %v", err)
		}
		if got := set.Wakeups(); got != 2 {
			t.Errorf("after Clear and one more Set, Wakeups() = %d, want 2", got)
		}
	})
	t.Run("two Sets racing to be first make one syscall", func(t *testing.T) {
		_, _, set := setup(t, 1, poll.Edge)
		// Hold each Set that looks at pending with Load until the other has
		// looked too (or a second has passed): the moment where a Set that
		// checks first and sets after lets both through.
		var loads atomic.Int32
		bothLooked := make(chan struct{})
		testHookPendingLoad = func() {
			if loads.Add(1) == 2 {
				close(bothLooked)
			}
			select {
			case <-bothLooked:
			case <-time.After(time.Second):
			}
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 2 {
			wg.Go(func() {
				<-start
				if err := set.Set(); err != nil {
					t.Errorf("Set() = %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		testHookPendingLoad = nil
		if got := set.Wakeups(); got != 1 {
			t.Errorf("two racing Sets made %d syscalls, want 1: both saw pending false before either set it; the check and the set must be one atomic step (a compare-and-swap)", got)
		}
	})
	t.Run("concurrent Sets write at most once per Clear", func(t *testing.T) {
		res := hammer(t, 4, 2500)
		if res.wakeups > res.clears+1 {
			t.Errorf("%d syscalls for %d Clears: want at most one per Clear (plus the first)", res.wakeups, res.clears)
		}
	})
}

// TestClearLostWakeup is the grading test of ex_lostwakeup. A Set that
// lands inside Clear, between its two steps, must not make the NEXT Set
// silent: after Clear returns, a Set always produces an event.
func TestClearLostWakeup(t *testing.T) {
	t.Run("a Set racing with Clear leaves later Sets working", func(t *testing.T) {
		p, reg, set := setup(t, 1, poll.Level)
		if err := set.Set(); err != nil {
			t.Fatalf("Set() = %v", err)
		}
		pollTokens(t, p, soon)
		testHookClear = func() {
			if err := set.Set(); err != nil { // the racing Set
				t.Errorf("racing Set() = %v", err)
			}
		}
		err := reg.Clear()
		testHookClear = nil
		if err != nil {
			t.Fatalf("Clear() = %v", err)
		}
		// The caller re-checked its queue after Clear and found the racing
		// Set's work. Now new work arrives with a new Set: it must wake us.
		if err := set.Set(); err != nil {
			t.Fatalf("Set() = %v", err)
		}
		if got := pollTokens(t, p, 500*time.Millisecond); len(got) == 0 {
			t.Fatal("a Set after Clear produced no event: the wakeup was lost (pending stayed true while the kernel object was idle)")
		}
	})
	t.Run("Clear consumes the readiness", func(t *testing.T) {
		p, reg, set := setup(t, 1, poll.Level)
		if err := set.Set(); err != nil {
			t.Fatalf("Set() = %v", err)
		}
		if got := pollTokens(t, p, soon); len(got) != 1 {
			t.Fatalf("Poll after Set reported %v, want one event", got)
		}
		if err := reg.Clear(); err != nil {
			t.Fatalf("Clear() = %v", err)
		}
		if got := pollTokens(t, p, 0); len(got) != 0 {
			t.Errorf("Poll after Clear still reported %v: Clear must consume the kernel's readiness (read the eventfd to zero), or a Level registration reports the old wakeup forever", got)
		}
	})
	t.Run("thousands of concurrent Sets lose no wakeup", func(t *testing.T) {
		res := hammer(t, 4, 2500)
		t.Logf("%d Sets, %d syscalls, %d events", res.sets, res.wakeups, res.events)
		if res.events >= res.sets/2 {
			t.Errorf("%d events for %d Sets: want far fewer events than Sets", res.events, res.sets)
		}
	})
}

type hammerResult struct {
	sets, wakeups, events, clears uint64
}

// hammer runs producers goroutines that each do perSet units of "work"
// (an atomic counter) followed by a Set, while this goroutine polls, clears
// and re-checks the counter, exactly as an event loop would. It fails the
// test if the loop ever waits two seconds with work outstanding: a lost
// wakeup.
func hammer(t *testing.T, producers, perSet int) hammerResult {
	t.Helper()
	p, reg, set := setup(t, 9, poll.Level)
	total := uint64(producers * perSet)
	var produced atomic.Uint64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range producers {
		wg.Go(func() {
			<-start
			for range perSet {
				produced.Add(1) // the work, published before the Set
				if err := set.Set(); err != nil {
					t.Errorf("Set() = %v", err)
					return
				}
			}
		})
	}
	var res hammerResult
	testutil.Within(t, 30*time.Second, "the polling loop", func() {
		close(start)
		events := poll.NewEvents(8)
		var consumed uint64
		for consumed < total {
			n, err := p.Poll(events, 2*time.Second)
			if err != nil {
				t.Errorf("Poll = %v", err)
				return
			}
			if n == 0 {
				t.Errorf("no event for 2s with %d of %d units of work not seen: lost wakeup", total-consumed, total)
				return
			}
			res.events += uint64(n)
			if err := reg.Clear(); err != nil {
				t.Errorf("Clear() = %v", err)
				return
			}
			res.clears++
			consumed = produced.Load() // re-check the shared state after Clear
		}
	})
	wg.Wait()
	res.sets = total
	res.wakeups = set.Wakeups()
	return res
}

func TestClose(t *testing.T) {
	t.Run("no event after Close, even if Set before it", func(t *testing.T) {
		p, reg, set := setup(t, 5, poll.Level)
		if err := set.Set(); err != nil {
			t.Fatalf("Set() = %v", err)
		}
		if err := reg.Close(); err != nil {
			t.Fatalf("Close() = %v", err)
		}
		if got := pollTokens(t, p, 50*time.Millisecond); len(got) != 0 {
			t.Errorf("Poll after Close reported %v, want nothing", got)
		}
	})
	t.Run("Set, Clear and a second Close fail with ErrClosed", func(t *testing.T) {
		p, reg, set := setup(t, 5, poll.Level)
		if err := reg.Close(); err != nil {
			t.Fatalf("Close() = %v", err)
		}
		for name, f := range map[string]func() error{
			"Set":        set.Set,
			"Clear":      reg.Clear,
			"Close":      reg.Close,
			"Register":   func() error { return reg.Register(p, 1, poll.Level) },
			"Reregister": func() error { return reg.Reregister(p, 1, poll.Level) },
			"Deregister": func() error { return reg.Deregister(p) },
		} {
			if err := f(); !errors.Is(err, ErrClosed) {
				t.Errorf("%s() after Close = %v, want ErrClosed", name, err)
			}
		}
	})
	t.Run("Close after the Poll is closed", func(t *testing.T) {
		p, reg, _ := setup(t, 5, poll.Level)
		if err := p.Close(); err != nil {
			t.Fatalf("p.Close() = %v", err)
		}
		if err := reg.Close(); err != nil {
			t.Errorf("Close() with the Poll already closed = %v, want nil", err)
		}
	})
	t.Run("Close races with Sets from other goroutines", func(t *testing.T) {
		_, reg, set := setup(t, 5, poll.Level)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 1000 {
					if err := set.Set(); err != nil && !errors.Is(err, ErrClosed) {
						t.Errorf("Set() = %v, want nil or ErrClosed", err)
						return
					}
				}
			})
		}
		if err := reg.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
		wg.Wait()
	})
}

func TestRegisterMisuse(t *testing.T) {
	p, reg, _ := setup(t, 1, poll.Level)
	if err := reg.Register(p, 2, poll.Level); err == nil {
		t.Error("second Register = nil, want an error")
	}
	p2, err := poll.New()
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if err := reg.Reregister(p2, 1, poll.Level); err == nil {
		t.Error("Reregister with another Poll = nil, want an error")
	}
	if err := reg.Deregister(p2); err == nil {
		t.Error("Deregister from another Poll = nil, want an error")
	}
}

func BenchmarkSet(b *testing.B) {
	b.Run("coalesced", func(b *testing.B) {
		reg, set, err := New()
		if err != nil {
			b.Fatal(err)
		}
		defer reg.Close()
		for b.Loop() {
			set.Set()
		}
	})
	b.Run("set and clear", func(b *testing.B) {
		reg, set, err := New()
		if err != nil {
			b.Fatal(err)
		}
		defer reg.Close()
		for b.Loop() {
			set.Set()
			reg.Clear()
		}
	})
}
