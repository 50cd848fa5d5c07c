//go:build linux

// go test -run 'Test' -v ./08-io-uring/uring
package uring

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/async-from-scratch/course/08-io-uring/internal/ringtest"
	"github.com/async-from-scratch/course/internal/testutil"
)

func newRing(t *testing.T, entries uint32) *Ring {
	t.Helper()
	ringtest.Require(t, Available())
	r, err := New(entries, SetupCoopTaskrun)
	if err != nil {
		t.Fatalf("New(%d) = %v", entries, err)
	}
	t.Cleanup(func() {
		if r.fd >= 0 {
			r.Close()
		}
	})
	return r
}

// mappings counts this process's memory mappings.
func mappings(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

func TestCloseUnmapsAndClosesEverything(t *testing.T) {
	ringtest.Require(t, Available())
	testutil.CheckNoFDLeak(t)
	before := mappings(t)
	for range 50 {
		r, err := New(64, SetupCoopTaskrun)
		if err != nil {
			t.Fatal(err)
		}
		b, err := NewBufRing(r, 1, 16, 4096)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatalf("BufRing.Close() = %v", err)
		}
		if err := r.Close(); err != nil {
			t.Fatalf("Close() = %v", err)
		}
		if err := r.Close(); err == nil {
			t.Fatal("second Close() = nil, want an error")
		}
	}
	// The Go runtime may map a little memory of its own meanwhile; fifty
	// leaked rings would be at least a hundred mappings.
	if after := mappings(t); after > before+10 {
		t.Errorf("mappings: %d before 50 rings, %d after: Close leaves mappings behind", before, after)
	}
}

func TestNopsSubmittedAndReapedInOneEnterEach(t *testing.T) {
	r := newRing(t, 8)
	want := []uint64{10, 11, 12, 13, 14, 15, 16, 17}
	for _, ud := range want {
		sqe := r.NextSQE()
		if sqe == nil {
			t.Fatalf("NextSQE() = nil with %d of 8 SQEs used", ud-10)
		}
		sqe.PrepNop(ud)
	}
	if sqe := r.NextSQE(); sqe != nil {
		t.Fatal("NextSQE() on a full submission ring = an SQE, want nil")
	}
	n, err := enter(t, r, uint32(len(want)))
	if err != nil || n != len(want) {
		t.Fatalf("Enter(8) = %d, %v; want 8, nil", n, err)
	}
	var got []uint64
	if c := r.Completions(func(c CQE) {
		if c.Res != 0 {
			t.Errorf("nop %d: Res = %d, want 0", c.UserData, c.Res)
		}
		got = append(got, c.UserData)
	}); c != len(want) {
		t.Fatalf("Completions() = %d, want %d", c, len(want))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("user_data reaped = %v, want %v", got, want)
	}
	if c := r.Completions(func(CQE) {}); c != 0 {
		t.Errorf("second Completions() = %d, want 0: the head did not move", c)
	}
}

// TestRingsWrapAround goes round both rings many times: a head or tail
// published at the wrong moment, or an index not masked, fails here.
func TestRingsWrapAround(t *testing.T) {
	r := newRing(t, 4)
	next := uint64(1)
	var reaped []uint64
	for round := range 100 {
		batch := 1 + round%4
		for range batch {
			sqe := r.NextSQE()
			if sqe == nil {
				t.Fatalf("round %d: NextSQE() = nil with the ring drained", round)
			}
			sqe.PrepNop(next)
			next++
		}
		if _, err := enter(t, r, uint32(batch)); err != nil {
			t.Fatal(err)
		}
		r.Completions(func(c CQE) { reaped = append(reaped, c.UserData) })
	}
	if uint64(len(reaped)) != next-1 {
		t.Fatalf("reaped %d CQEs, want %d", len(reaped), next-1)
	}
	slices.Sort(reaped)
	for i, ud := range reaped {
		if ud != uint64(i+1) {
			t.Fatalf("CQE %d has user_data %d, want %d: one was lost or read twice", i, ud, i+1)
		}
	}
}

func TestRecvIntoProvidedBuffer(t *testing.T) {
	r := newRing(t, 8)
	b, err := NewBufRing(r, 7, 4, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	for i, msg := range []string{"one", "two", "three", "four", "five", "six"} {
		r.NextSQE().PrepRecvSelect(fds[0], b.Group(), false, uint64(i))
		if _, err := unix.Write(fds[1], []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if _, err := enter(t, r, 1); err != nil {
			t.Fatal(err)
		}
		var got CQE
		if n := r.Completions(func(c CQE) { got = c }); n != 1 {
			t.Fatalf("recv %d: %d CQEs, want 1", i, n)
		}
		if got.Flags&CQEFBuffer == 0 || got.Res != int32(len(msg)) {
			t.Fatalf("recv %d: CQE %+v, want Res %d with CQEFBuffer", i, got, len(msg))
		}
		id := uint16(got.Flags >> CQEBufferShift)
		if data := string(b.Buf(id)[:got.Res]); data != msg {
			t.Errorf("recv %d: buffer %d holds %q, want %q", i, id, data, msg)
		}
		b.Provide(id) // four buffers serve six messages only if each comes back
	}
}

func TestUnavailableSaysWhyInOneLine(t *testing.T) {
	for _, errno := range []unix.Errno{unix.ENOSYS, unix.EPERM} {
		err := unavailable(errno)
		if !errors.Is(err, ErrUnavailable) || !errors.Is(err, errno) {
			t.Errorf("unavailable(%v) = %v, want ErrUnavailable wrapping %v", errno, err, errno)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("unavailable(%v) = %q, want one line", errno, err)
		}
	}
}

// enter is r.Enter with a watchdog: SQEs that never reach the kernel (an
// unpublished tail) would make it wait forever.
func enter(t *testing.T, r *Ring, minComplete uint32) (n int, err error) {
	t.Helper()
	testutil.Within(t, 10*time.Second, fmt.Sprintf("Enter(%d) (were the SQEs published?)", minComplete), func() {
		n, err = r.Enter(minComplete)
	})
	return n, err
}
