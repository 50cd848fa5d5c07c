package echo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/filename"
)

// Prompt is what the file server says first (the blog's afterword).
const Prompt = "Please enter filename: "

// fileChunk is how much of a file one worker hand-off reads. The file is
// streamed chunk by chunk, never held whole.
const fileChunk = 32 << 10

// serveFile is the blog's afterword file server, done safely: the name is
// confined to the root, a bad name or a missing file gets one error line,
// the file is opened and read on the worker pool (file I/O blocks; it must
// not block the loop) and streamed in chunks.
func (s *Server) serveFile(st *executor.Stream) future.Future[struct{}] {
	return future.Async(func(co *future.Co) struct{} {
		var sent int64
		var cause error = errShutdown
		defer func() {
			peer := st.PeerAddr()
			_ = st.Close()
			s.connDone(peer, sent, cause)
		}()
		if _, err := future.Await(co, st.WriteAll([]byte(Prompt))).Get(); err != nil {
			cause = err
			return struct{}{}
		}
		line, err := s.readLine(co, st)
		if err != nil {
			cause = err
			if errors.Is(err, filename.ErrRefused) {
				cause = s.sendError(co, st, err)
			}
			return struct{}{}
		}
		name, err := filename.Parse(line)
		if err != nil {
			cause = s.sendError(co, st, err)
			return struct{}{}
		}
		root := s.cfg.Root
		// SpawnBlockingRelease: if the connection is dropped while the open
		// runs (the grace period ended), the file it opens is closed.
		f, err := future.Await(co, executor.SpawnBlockingRelease(s.ex, func() (*os.File, error) {
			return filename.Open(root, name)
		}, func(f *os.File) { _ = f.Close() })).Get()
		if err != nil {
			cause = s.sendError(co, st, err)
			return struct{}{}
		}
		defer f.Close()
		s.log.Info("sending", "peer", st.PeerAddr(), "file", name)
		buf := make([]byte, fileChunk)
		for {
			// The worker fills buf while this coroutine is parked in
			// Await, so the two never touch it at the same time.
			n, rerr := future.Await(co, executor.SpawnBlocking(s.ex, func() (int, error) {
				return f.Read(buf)
			})).Get()
			if n > 0 {
				w, werr := future.Await(co, s.writeAll(st, buf[:n])).Get()
				sent += int64(w)
				if werr != nil {
					cause = werr
					return struct{}{}
				}
			}
			if rerr == io.EOF {
				cause = nil
				return struct{}{}
			}
			if rerr != nil {
				cause = s.sendError(co, st, rerr)
				return struct{}{}
			}
		}
	})
}

// readLine reads up to and including the first '\n', or to EOF. A line
// longer than filename.MaxLen is refused without reading the rest.
func (s *Server) readLine(co *future.Co, st *executor.Stream) ([]byte, error) {
	var line []byte
	chunk := make([]byte, 256)
	for {
		var r executor.Result[int]
		if s.cfg.Idle > 0 {
			t := future.Await(co, executor.Timeout(s.ex, s.cfg.Idle, st.Read(chunk)))
			if t.Err != nil {
				return nil, errIdle
			}
			r = t.Value
		} else {
			r = future.Await(co, st.Read(chunk))
		}
		n, err := r.Get()
		line = append(line, chunk[:n]...)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			return line[:i+1], nil
		}
		if len(line) > filename.MaxLen+2 {
			return nil, fmt.Errorf("%w: line longer than %d bytes", filename.ErrRefused, filename.MaxLen)
		}
		if err == io.EOF && len(line) > 0 {
			return line, nil // a name without a line end, then EOF: take it
		}
		if err != nil {
			return nil, err
		}
	}
}

// sendError writes one error line to the client and returns err for the log.
func (s *Server) sendError(co *future.Co, st *executor.Stream, err error) error {
	msg := "error: " + err.Error() + "\n"
	future.Await(co, st.WriteAll([]byte(msg)))
	return err
}
