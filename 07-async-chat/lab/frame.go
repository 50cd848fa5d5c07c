package lab

import (
	"encoding/binary"
	"errors"
	"io"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// WriteFrame writes one frame: the length in two bytes, then payload.
func WriteFrame(w io.Writer, payload []byte) error {
	if len(payload) > 0xffff {
		return errors.New("lab: frame too long")
	}
	_, err := w.Write(binary.BigEndian.AppendUint16(nil, uint16(len(payload))))
	if err == nil {
		_, err = w.Write(payload)
	}
	return err
}

// Frames is what a reader got: the frames in order, how many timeouts it
// saw and retried after, and why it stopped.
type Frames struct {
	Frames   []string
	Timeouts int
	Err      error // io.EOF after the last frame; anything else is a failure
}

// ReadNaive reads frames until EOF, with every ReadFull under a timeout of d
// and retried when the timeout fires. It is the bug: a ReadFull dropped
// halfway loses what it read.
func ReadNaive(ex *executor.Executor, st *executor.Stream, d time.Duration) future.Future[Frames] {
	return future.Async(func(co *future.Co) Frames {
		var out Frames
		readFull := func(p []byte) error {
			for {
				r := future.Await(co, executor.Timeout(ex, d, st.ReadFull(p)))
				if errors.Is(r.Err, executor.ErrTimeout) {
					out.Timeouts++
					continue // "nothing yet": try again (the dropped ReadFull took bytes with it)
				}
				return r.Value.Err
			}
		}
		for {
			var hdr [2]byte
			if out.Err = readFull(hdr[:]); out.Err != nil {
				return out
			}
			payload := make([]byte, binary.BigEndian.Uint16(hdr[:]))
			if out.Err = readFull(payload); out.Err != nil {
				return out
			}
			out.Frames = append(out.Frames, string(payload))
		}
	})
}

// ReadKeepFuture is ReadNaive fixed by keeping the future: the ReadFull is
// made once per buffer, and a timeout only stops waiting for it. Select
// drops the loser, so the read is handed to it borrowed: the Select drops
// the borrow, not the read.
func ReadKeepFuture(ex *executor.Executor, st *executor.Stream, d time.Duration) future.Future[Frames] {
	return future.Async(func(co *future.Co) Frames {
		var out Frames
		readFull := func(p []byte) error {
			read := st.ReadFull(p) // one future for the whole of p
			for {
				r := future.Await(co, future.Select(borrow(read), ex.Sleep(d)))
				if !r.IsLeft {
					out.Timeouts++
					continue // read still holds its progress
				}
				return r.Left.Err
			}
		}
		for {
			var hdr [2]byte
			if out.Err = readFull(hdr[:]); out.Err != nil {
				return out
			}
			payload := make([]byte, binary.BigEndian.Uint16(hdr[:]))
			if out.Err = readFull(payload); out.Err != nil {
				return out
			}
			out.Frames = append(out.Frames, string(payload))
		}
	})
}

// borrow returns a future that polls fut but does not own it: dropping
// the borrow leaves fut as it is. (Stage 05's read future happens to have
// no Drop, so handing it to Select unborrowed would work today; but a
// dropped future must not be polled again (the contract's rule 6), and a
// future that holds a coroutine or a registration would be gone.)
func borrow[T any](fut future.Future[T]) future.Future[T] {
	return future.PollFn(fut.Poll)
}

// ReadInConn is ReadNaive fixed by keeping the progress in the connection:
// a FrameReader holds the partial frame, and the future under the timeout
// is only "poll the reader", which holds nothing.
func ReadInConn(ex *executor.Executor, st *executor.Stream, d time.Duration) future.Future[Frames] {
	return future.Async(func(co *future.Co) Frames {
		var out Frames
		fr := NewFrameReader(st)
		for {
			r := future.Await(co, executor.Timeout(ex, d, future.PollFn(fr.PollFrame)))
			if errors.Is(r.Err, executor.ErrTimeout) {
				out.Timeouts++
				continue
			}
			frame, err := r.Value.Get()
			if err != nil {
				out.Err = err
				return out
			}
			out.Frames = append(out.Frames, frame)
		}
	})
}

// NewFrameReader returns a FrameReader of st, between frames.
func NewFrameReader(st *executor.Stream) *FrameReader { return &FrameReader{st: st} }

// ErrDesync is what ReadOrClose reports: a read was cut off by a timeout,
// so the connection was closed rather than read out of step.
var ErrDesync = errors.New("lab: read timed out mid-stream; connection closed")

// ReadOrClose is ReadNaive fixed by not retrying: a timeout that fires
// after a frame began closes the connection. (A timeout between frames,
// before any byte of the next, is safe to retry: nothing was taken.)
func ReadOrClose(ex *executor.Executor, st *executor.Stream, d time.Duration) future.Future[Frames] {
	return future.Async(func(co *future.Co) Frames {
		var out Frames
		for {
			var hdr [2]byte
			// Between frames: wait as long as it takes.
			if _, err := future.Await(co, st.ReadFull(hdr[:])).Get(); err != nil {
				out.Err = err
				return out
			}
			payload := make([]byte, binary.BigEndian.Uint16(hdr[:]))
			r := future.Await(co, executor.Timeout(ex, d, st.ReadFull(payload)))
			if errors.Is(r.Err, executor.ErrTimeout) {
				out.Timeouts++
				st.Close()
				out.Err = ErrDesync
				return out
			}
			if out.Err = r.Value.Err; out.Err != nil {
				return out
			}
			out.Frames = append(out.Frames, string(payload))
		}
	})
}
