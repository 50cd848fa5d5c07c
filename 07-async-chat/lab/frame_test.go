package lab

import (
	"errors"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

var wantFrames = []string{"first frame", "second frame, sent in two pieces", "third frame"}

// sendWithPause writes the frames, pausing for pause in the middle of the
// second one, after its header and half its payload: a timeout shorter than
// the pause fires while a ReadFull is halfway through.
func sendWithPause(peer net.Conn, pause time.Duration) {
	WriteFrame(peer, []byte(wantFrames[0]))
	second := []byte(wantFrames[1])
	peer.Write([]byte{0, byte(len(second))})
	peer.Write(second[:len(second)/2])
	time.Sleep(pause)
	peer.Write(second[len(second)/2:])
	WriteFrame(peer, []byte(wantFrames[2]))
	peer.(*net.TCPConn).CloseWrite()
}

// readWith runs reader against a peer that pauses mid-frame for 500 ms,
// with a timeout of 30 ms (the loop would have to stall for most of the
// pause for no timeout to fire in it).
func readWith(t *testing.T, reader func(*executor.Executor, *executor.Stream, time.Duration) future.Future[Frames]) Frames {
	t.Helper()
	return withConn(t, func(co *future.Co, ex *executor.Executor, st *executor.Stream, peer net.Conn) Frames {
		go sendWithPause(peer, 500*time.Millisecond)
		return future.Await(co, reader(ex, st, 30*time.Millisecond))
	})
}

func TestReadNaiveLosesTheBytesOfACancelledReadFull(t *testing.T) {
	got := readWith(t, ReadNaive)
	if got.Timeouts == 0 {
		t.Fatal("no timeout fired during the 500 ms pause; the scenario did not happen")
	}
	if slices.Equal(got.Frames, wantFrames) && errors.Is(got.Err, io.EOF) {
		t.Fatalf("ReadNaive read every frame intact through %d timeouts: the dropped ReadFull lost nothing?", got.Timeouts)
	}
	if len(got.Frames) == 0 || got.Frames[0] != wantFrames[0] {
		t.Errorf("the first frame, before the pause, = %q, want %q", got.Frames, wantFrames[0])
	}
	t.Logf("naive: frames %q, timeouts %d, err %v", got.Frames, got.Timeouts, got.Err)
}

func TestTheThreeFixes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reader func(*executor.Executor, *executor.Stream, time.Duration) future.Future[Frames]
		frames []string
		err    error
	}{
		{"keep the future", ReadKeepFuture, wantFrames, io.EOF},
		{"keep the progress in the connection", ReadInConn, wantFrames, io.EOF},
		{"close on cancel", ReadOrClose, wantFrames[:1], ErrDesync},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readWith(t, tc.reader)
			if got.Timeouts == 0 {
				t.Fatal("no timeout fired during the 500 ms pause; the scenario did not happen")
			}
			if !slices.Equal(got.Frames, tc.frames) || !errors.Is(got.Err, tc.err) {
				t.Errorf("frames %q, err %v; want %q, %v", got.Frames, got.Err, tc.frames, tc.err)
			}
		})
	}
}

// The grading test of ex_cancelsafe: frames that arrive a few bytes at a
// time, with a timeout that fires between pieces, all arrive intact.
func TestFrameReaderKeepsPartialFrames(t *testing.T) {
	frames := []string{"a", "frame that arrives in many small pieces", "", "last"}
	got := withConn(t, func(co *future.Co, ex *executor.Executor, st *executor.Stream, peer net.Conn) Frames {
		go func() {
			var all []byte
			for _, f := range frames {
				all = append(all, 0, byte(len(f)))
				all = append(all, f...)
			}
			for i := 0; i < len(all); i += 5 {
				peer.Write(all[i:min(i+5, len(all))])
				time.Sleep(15 * time.Millisecond)
			}
			peer.(*net.TCPConn).CloseWrite()
		}()
		return future.Await(co, ReadInConn(ex, st, 5*time.Millisecond))
	})
	if !slices.Equal(got.Frames, frames) || !errors.Is(got.Err, io.EOF) {
		t.Errorf("FrameReader through %d timeouts read %q, %v; want %q, EOF: a partial frame was lost when PollFrame returned pending", got.Timeouts, got.Frames, got.Err, frames)
	}
}

func TestFrameReaderReportsATruncatedFrame(t *testing.T) {
	got := withConn(t, func(co *future.Co, ex *executor.Executor, st *executor.Stream, peer net.Conn) Frames {
		peer.Write([]byte{0, 10, 'a', 'b'})
		peer.(*net.TCPConn).CloseWrite()
		return future.Await(co, ReadInConn(ex, st, time.Second))
	})
	if !errors.Is(got.Err, io.ErrUnexpectedEOF) {
		t.Errorf("a frame cut short by EOF: err %v, want io.ErrUnexpectedEOF", got.Err)
	}
}
