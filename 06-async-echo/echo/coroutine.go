package echo

import (
	"errors"
	"io"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// echoCoroutine is the same echo as echoConn, written as a coroutine. It
// reads like the blog's async block and like blocking Go; the price is a
// coroutine (a goroutine stack) and a 4 KiB buffer per open connection, kept
// while the connection sits idle in Await.
func (s *Server) echoCoroutine(st *executor.Stream) future.Future[struct{}] {
	return future.Async(func(co *future.Co) struct{} {
		var echoed int64
		var cause error = errShutdown // what Drop unwinds with
		defer func() {
			peer := st.PeerAddr()
			_ = st.Close()
			s.connDone(peer, echoed, cause)
		}()
		buf := make([]byte, 4096)
		for {
			var r executor.Result[int]
			if s.cfg.Idle > 0 {
				t := future.Await(co, executor.Timeout(s.ex, s.cfg.Idle, st.Read(buf)))
				if t.Err != nil {
					cause = errIdle
					return struct{}{}
				}
				r = t.Value
			} else {
				r = future.Await(co, st.Read(buf))
			}
			n, err := r.Get()
			if n > 0 {
				// writeAll loops over short writes and waits for
				// writability; meanwhile we do not read: back-pressure.
				// With -idle, a client that stops reading is idle too,
				// one that reads slowly is not (see writeAll).
				wr := future.Await(co, s.writeAll(st, buf[:n]))
				w, werr := wr.Get()
				echoed += int64(w)
				if werr != nil {
					cause = werr
					return struct{}{}
				}
			}
			if err != nil {
				cause = err
				if errors.Is(err, io.EOF) {
					cause = nil // half-close: all echoed, close
				}
				return struct{}{}
			}
		}
	})
}
