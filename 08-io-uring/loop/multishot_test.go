//go:build linux

package loop

import (
	"bytes"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
)

// TestMultishotAcceptAndRecv: one accept SQE serves three connections, one
// recv SQE per connection serves every message.
func TestMultishotAcceptAndRecv(t *testing.T) {
	l := newLoop(t, Options{})
	ln := listen(t)
	for range 3 {
		c := dial(t, ln)
		c.Write([]byte("abc"))
		c.CloseWrite()
	}
	got := run(t, l, "multishot accept and recv", future.Async(func(co *future.Co) string {
		acc := l.AcceptMulti(ln.Fd())
		defer acc.Close()
		var all []byte
		for range 3 {
			fd, err := future.Await(co, future.PollFn(func(cx *future.Context) future.Poll[Result[int]] {
				fd, err, ok := acc.PollAccept(cx)
				if !ok {
					return future.Pending[Result[int]]()
				}
				return future.PollReady(Result[int]{Value: fd, Err: err})
			})).Get()
			if err != nil {
				t.Errorf("PollAccept: %v", err)
				return ""
			}
			rx := l.RecvMulti(fd)
			for {
				b, err := future.Await(co, nextRecv(rx)).Get()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Errorf("PollRecv: %v", err)
					break
				}
				all = append(all, l.Bytes(b)...)
				l.Release(b)
			}
			rx.Close()
			closeFd(fd)
		}
		return string(all)
	}))
	if got != "abcabcabc" {
		t.Errorf("received %q, want %q", got, "abcabcabc")
	}
	if st := l.Stats(); st.BuffersHeld != 0 {
		t.Errorf("BuffersHeld = %d after Run, want 0", st.BuffersHeld)
	}
}

// TestReceiverPacesItself: a reader that does not take its data calls Pace;
// the multishot recv then stops taking buffers after maxQueued, and the rest
// of the data waits in the socket, not in buffers. (What is in the socket
// when a recv runs is taken in one go, so the data arrives in pieces.)
func TestReceiverPacesItself(t *testing.T) {
	l := newLoop(t, Options{Buffers: 64, BufferSize: 1024})
	ln := listen(t)
	c := dial(t, ln)
	c.Write([]byte("first"))
	data := bytes.Repeat([]byte("x"), 48*1024) // 48 buffers' worth
	held := run(t, l, "a receiver that is behind", future.Async(func(co *future.Co) int {
		fd, err := future.Await(co, l.Accept(ln.Fd())).Get()
		if err != nil {
			t.Error(err)
			return 0
		}
		defer closeFd(fd)
		rx := l.RecvMulti(fd)
		defer rx.Close()
		first, err := future.Await(co, nextRecv(rx)).Get() // the series is running
		if err != nil {
			t.Error(err)
			return 0
		}
		// 48 buffers' worth, a kilobyte a turn: the client writes from
		// this task (a small write to a socket with room never blocks), a
		// short sleep lets the recv take it, and then the task, which is
		// not reading, paces its receiver.
		for chunk := range slices.Chunk(data, 1024) {
			if _, err := c.Write(chunk); err != nil {
				t.Error(err)
				break
			}
			future.Await(co, l.Sleep(time.Millisecond))
			rx.Pace()
		}
		l.Release(first)
		return l.Stats().BuffersHeld
	}))
	if held > maxQueued+3 {
		t.Errorf("a receiver that did not read while 48 KiB arrived held %d buffers; Pace should stop it near %d", held, maxQueued)
	}
}

func nextRecv(rx *Receiver) future.Future[Result[Buf]] {
	return future.PollFn(func(cx *future.Context) future.Poll[Result[Buf]] {
		b, err, ok := rx.PollRecv(cx)
		if !ok {
			return future.Pending[Result[Buf]]()
		}
		return future.PollReady(Result[Buf]{Value: b, Err: err})
	})
}
