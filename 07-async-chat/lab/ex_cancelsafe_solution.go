//go:build !ex_cancelsafe && !ex_cancelsafe_wrong_reset && !ex_cancelsafe_wrong_overwrite

package lab

import (
	"encoding/binary"
	"errors"
	"io"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// FrameReader reads frames from a stream, keeping a partial frame in
// itself between polls, so that PollFrame is cancel-safe: a caller may stop
// polling at any point (a timeout fired) and poll again later, and no byte
// is lost.
type FrameReader struct {
	st   *executor.Stream
	buf  [2 + 0xffff]byte // header and payload of the frame being read
	have int              // bytes of the frame in buf so far
}

// PollFrame reads one frame: ready with its payload, or with an error
// (io.EOF between frames, io.ErrUnexpectedEOF inside one), or pending, with
// the bytes read so far kept in r.
//
// Exercise ex_cancelsafe (docs/07-async-chat.md). Check your work with:
//
//	go test -tags ex_cancelsafe -run 'TestFrameReader' ./07-async-chat/lab
func (r *FrameReader) PollFrame(cx *future.Context) future.Poll[executor.Result[string]] {
	for {
		need := 2
		if r.have >= 2 {
			need = 2 + int(binary.BigEndian.Uint16(r.buf[:2]))
		}
		if r.have == need {
			frame := string(r.buf[2:need])
			r.have = 0 // the next frame starts empty
			return future.PollReady(executor.Result[string]{Value: frame})
		}
		n, err := r.st.PollRead(cx, r.buf[r.have:need])
		r.have += n // kept here, not in a local: this is what a drop must not lose
		switch {
		case errors.Is(err, executor.ErrPending):
			return future.Pending[executor.Result[string]]()
		case err == io.EOF && r.have > 0:
			return future.PollReady(executor.Result[string]{Err: io.ErrUnexpectedEOF})
		case err != nil:
			return future.PollReady(executor.Result[string]{Err: err})
		}
	}
}
