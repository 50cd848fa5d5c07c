package event

import (
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// setup returns a Poll and a user event registered in it with token tok,
// all closed when the test ends, and checks that no descriptor leaked.
func setup(t *testing.T, tok poll.Token, mode poll.Mode) (*poll.Poll, *Registration, *SetReadiness) {
	t.Helper()
	testutil.CheckNoFDLeak(t)
	p, err := poll.New()
	if err != nil {
		t.Fatalf("poll.New() = %v", err)
	}
	t.Cleanup(func() { p.Close() })
	reg, set, err := New()
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	t.Cleanup(func() { reg.Close() }) // a second Close only returns ErrClosed
	if err := reg.Register(p, tok, mode); err != nil {
		t.Fatalf("Register(p, %d, %v) = %v", tok, mode, err)
	}
	return p, reg, set
}

// pollTokens polls once with the given timeout and returns the tokens
// reported, in order.
func pollTokens(t *testing.T, p *poll.Poll, timeout time.Duration) []poll.Token {
	t.Helper()
	events := poll.NewEvents(8)
	if _, err := p.Poll(events, timeout); err != nil {
		t.Fatalf("Poll(events, %v) = %v", timeout, err)
	}
	var toks []poll.Token
	for ev := range events.All() {
		if !ev.Readable {
			t.Errorf("user event reported as %v, want readable", ev)
		}
		toks = append(toks, ev.Token)
	}
	return toks
}
