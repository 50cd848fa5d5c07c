//go:build linux

// go test -run 'Dropped|Ownership' -v ./08-io-uring/loop
package loop

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"

	"github.com/async-from-scratch/course/04-futures/future"
)

const poison = 0xDD

// TestDroppedOperationsUnderLoad drops recvs and sends while they are in
// flight, thousands of times, on 16 busy connections sharing 32 provided
// buffers, and checks the three promises of buffer ownership:
//
//   - no buffer is reused early: every byte a client gets back is its own
//     letter (a buffer released while a send still reads it would send
//     poison, or another connection's letter), and every byte the server
//     receives is the sender's letter;
//   - no CQE is lost: every cancelled operation's CQE came back (Orphans ==
//     Cancels), and Run returned, which it does only when none is in flight;
//   - no buffer is lost: every provided buffer went back to the kernel
//     (BuffersHeld == 0), including those of recvs that got data after all.
func TestDroppedOperationsUnderLoad(t *testing.T) {
	for _, coop := range []bool{false, true} {
		t.Run(fmt.Sprintf("CoopTaskrun=%v", coop), func(t *testing.T) {
			testDroppedOperationsUnderLoad(t, Options{Buffers: 32, BufferSize: 512, Poison: poison, CoopTaskrun: coop})
		})
	}
}

func testDroppedOperationsUnderLoad(t *testing.T, opts Options) {
	const conns, rounds = 16, 300
	l := newLoop(t, opts)
	ln := listen(t)

	var wg sync.WaitGroup
	stopClients := make(chan struct{})
	clients := make([]net.Conn, conns)
	for k := range clients {
		clients[k] = dial(t, ln)
		clients[k].(*net.TCPConn).SetReadBuffer(4096)
		wg.Add(2)
		go func() { defer wg.Done(); sendLetters(clients[k], letter(k), stopClients) }()
		go func() { defer wg.Done(); checkEcho(t, clients[k], letter(k)) }()
	}

	var fails []string
	var sendDrops int
	run(t, l, "connections dropping operations in flight", future.Async(func(co *future.Co) struct{} {
		// Accept all, then learn each connection's letter from its first byte.
		done := 0
		wake := &countdown{}
		for range conns {
			fd, err := future.Await(co, l.Accept(ln.Fd())).Get()
			if err != nil {
				fails = append(fails, err.Error())
				return struct{}{}
			}
			// A small send buffer, and clients that read in small bites with
			// pauses: sends wait in the kernel long enough to be dropped.
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
			Spawn(l, future.Async(func(co *future.Co) struct{} {
				defer func() { done++; wake.wake() }()
				defer closeFd(fd)
				if msg := dropper(co, l, fd, rounds, rand.New(rand.NewPCG(uint64(fd), 1)), &sendDrops); msg != "" {
					fails = append(fails, msg)
				}
				return struct{}{}
			}))
		}
		future.Await(co, future.PollFn(func(cx *future.Context) future.Poll[struct{}] {
			if done == conns {
				return future.PollReady(struct{}{})
			}
			wake.w = cx.Waker()
			return future.Pending[struct{}]()
		}))
		return struct{}{}
	}))
	close(stopClients)
	for _, c := range clients {
		c.Close()
	}
	wg.Wait()
	for _, f := range fails {
		t.Error(f)
	}
	st := l.Stats()
	t.Logf("%d operations (recvs, sends, sleeps) cancelled in flight, %d of them sends; %d orphan CQEs", st.Cancels, sendDrops, st.Orphans)
	if sendDrops < 20 {
		t.Errorf("only %d sends were dropped in flight; the test did not exercise send cancellation", sendDrops)
	}
	if st.Orphans != st.Cancels {
		t.Errorf("%d operations cancelled, %d of their CQEs reaped: a CQE was lost (or counted twice)", st.Cancels, st.Orphans)
	}
	if st.BuffersHeld != 0 {
		t.Errorf("Stats().BuffersHeld = %d after Run, want 0: a provided buffer never went back to the kernel", st.BuffersHeld)
	}
}

// dropper is one server connection of the test: rounds times, a recv raced
// against a short random sleep, and a send of what came raced the same way.
// A lost race drops the operation in flight.
func dropper(co *future.Co, l *Loop, fd int, rounds int, rng *rand.Rand, sendDrops *int) string {
	var want byte
	for range rounds {
		r := future.Await(co, future.Select(l.Recv(fd, 0), l.Sleep(time.Duration(rng.IntN(300))*time.Microsecond)))
		if !r.IsLeft {
			continue // the recv was dropped in flight
		}
		b, err := r.Left.Get()
		if err == io.EOF {
			return ""
		}
		if err != nil {
			return fmt.Sprintf("fd %d: Recv: %v", fd, err)
		}
		data := l.Bytes(b)
		if want == 0 {
			want = data[0]
		}
		for i, c := range data {
			if c != want {
				l.Release(b)
				return fmt.Sprintf("fd %d: received byte %d = %#x, want %q: a buffer the kernel wrote into was in use elsewhere", fd, i, c, want)
			}
		}
		s := future.Await(co, future.Select(l.SendBuf(fd, b, 0, 0), l.Sleep(time.Duration(rng.IntN(300))*time.Microsecond)))
		if s.IsLeft {
			// Done: the buffer is ours again.
			l.Release(b)
		} else {
			*sendDrops++
		}
		// Otherwise the send was dropped in flight: the loop releases b
		// when the send's CQE comes. Releasing it here would be the bug.
	}
	return ""
}

func letter(k int) byte { return 'a' + byte(k) }

// sendLetters writes chunks of c's letter until stop.
func sendLetters(c net.Conn, l byte, stop <-chan struct{}) {
	chunk := make([]byte, 700)
	for i := range chunk {
		chunk[i] = l
	}
	for {
		select {
		case <-stop:
			return
		default:
		}
		if _, err := c.Write(chunk[:1+rand.IntN(len(chunk))]); err != nil {
			return
		}
	}
}

// checkEcho reads what comes back until the connection closes and fails the
// test on the first byte that is not the client's own letter.
func checkEcho(t *testing.T, c net.Conn, l byte) {
	buf := make([]byte, 256)
	for {
		time.Sleep(100 * time.Microsecond)
		n, err := c.Read(buf)
		for i, b := range buf[:n] {
			if b != l {
				what := "another connection's data"
				if b == poison {
					what = "poison: a send read its buffer after the buffer was released"
				}
				t.Errorf("client %q got byte %d = %#x: %s", l, i, b, what)
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// countdown is a waker slot for the test's root task.
type countdown struct{ w future.Waker }

func (c *countdown) wake() {
	if c.w != nil {
		c.w.Wake()
	}
}

// TestDroppedSendKeepsItsBufferUntilItsCQE makes the worst case happen on
// purpose: a send waits in the kernel for room in a full socket, its future
// is dropped, and the room appears before the kernel has seen the cancel. The
// kernel then runs the send anyway (the cancel comes too late), reading the
// buffer after the drop. The buffer must still hold the data then; a loop
// that released it at the drop sends poison instead.
func TestDroppedSendKeepsItsBufferUntilItsCQE(t *testing.T) {
	// CoopTaskrun: the waiting send's retry then runs as soon as the loop's
	// thread enters the kernel for anything (here: blocking on the client),
	// before the cancel is submitted. With deferred completion work the
	// kernel would see the cancel first; cancellation would still be a
	// request, not a promise (a send handed to a kernel worker thread
	// runs regardless), but not one this test can time.
	l := newLoop(t, Options{Buffers: 4, BufferSize: 512, Poison: poison, CoopTaskrun: true})
	ln := listen(t)
	const attempts = 3
	ran := 0 // attempts in which the dropped send ran after all
	run(t, l, "dropped sends", future.Async(func(co *future.Co) struct{} {
		for range attempts {
			if sendRanAfterDrop(t, co, l, ln) {
				ran++
			}
			if t.Failed() {
				break
			}
		}
		return struct{}{}
	}))
	t.Logf("the dropped send ran after all in %d of %d attempts", ran, attempts)
	if ran == 0 && !t.Failed() {
		t.Errorf("in %d attempts the dropped send never ran after the drop; the test proved nothing", attempts)
	}
}

// sendRanAfterDrop runs one attempt on a new connection and reports whether
// the dropped send reached the client.
func sendRanAfterDrop(t *testing.T, co *future.Co, l *Loop, ln *tcp.Listener) bool {
	client, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Error(err)
		return false
	}
	defer client.Close()
	client.SetDeadline(time.Now().Add(10 * time.Second))
	client.(*net.TCPConn).SetReadBuffer(4096)
	fd, err := future.Await(co, l.Accept(ln.Fd())).Get()
	if err != nil {
		t.Error(err)
		return false
	}
	defer closeFd(fd)
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)

	// 1. A buffer with data in it: 512 bytes of 'p' from the client.
	client.Write(bytes.Repeat([]byte("p"), 512))
	b, err := future.Await(co, l.Recv(fd, 0)).Get()
	if err != nil || b.Len() != 512 {
		t.Errorf("Recv = %d bytes, %v; want 512", b.Len(), err)
		return false
	}
	// 2. Fill the socket so that a send has to wait for room.
	filled := 0
	for {
		n, err := unix.SendmsgN(fd, bytes.Repeat([]byte("f"), 4096), nil, nil, unix.MSG_DONTWAIT)
		if err != nil {
			break
		}
		filled += n
	}
	// 3. Send the buffer: the kernel tries, finds no room, and waits.
	send := l.SendBuf(fd, b, 0, 0)
	future.Await(co, future.Select(send, l.Sleep(5*time.Millisecond)))
	// Select dropped the send (4): the cancel is queued, not yet submitted.
	// 5. Now the client reads everything that was filled: room appears and
	// the kernel queues the waiting send to run, before it sees the cancel.
	got := make([]byte, filled+512)
	if _, err := io.ReadFull(client, got[:filled]); err != nil {
		t.Errorf("reading the filler: %v", err)
		return false
	}
	// 6. Next turn: the cancel is submitted; the send has run, or not.
	future.Await(co, l.Sleep(5*time.Millisecond))
	client.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	n, _ := io.ReadFull(client, got[filled:])
	for i, c := range got[filled : filled+n] {
		if c != 'p' {
			t.Errorf("the dropped send delivered byte %d = %#x, want 'p': its buffer was released (poisoned) before the send's CQE", i, c)
			break
		}
	}
	return n > 0
}
