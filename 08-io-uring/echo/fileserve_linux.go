package echo

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/06-async-echo/echo"
	"github.com/async-from-scratch/course/06-async-echo/filename"
	"github.com/async-from-scratch/course/08-io-uring/loop"
	"golang.org/x/sys/unix"
)

// fileChunk is how much of the file one read takes.
const fileChunk = 32 << 10

// serveFile is stage 06's file server: prompt, one line naming a file
// confined to the root, the file streamed back. Each chunk is read with
// IORING_OP_READ and sent with IORING_OP_SEND; the chunk buffer belongs to
// the kernel during each, and this coroutine touches it only in between.
func (s *Server) serveFile(fd int) future.Future[struct{}] {
	return future.Async(func(co *future.Co) struct{} {
		var sent int64
		var cause error = errShutdown
		defer func() {
			unix.Close(fd)
			s.connDone(fd, sent, cause)
		}()
		if cause = s.sendAll(co, fd, []byte(echo.Prompt)); cause != nil {
			return struct{}{}
		}
		cause = errShutdown
		line, err := s.readLine(co, fd)
		if err != nil {
			cause = err
			if errors.Is(err, filename.ErrRefused) {
				cause = s.sendError(co, fd, err)
			}
			return struct{}{}
		}
		name, err := filename.Parse(line)
		if err != nil {
			cause = s.sendError(co, fd, err)
			return struct{}{}
		}
		f, err := filename.Open(s.cfg.Root, name)
		if err != nil {
			cause = s.sendError(co, fd, err)
			return struct{}{}
		}
		defer f.Close()
		buf := make([]byte, fileChunk)
		for off := int64(0); ; {
			n, rerr := future.Await(co, s.l.ReadAt(int(f.Fd()), buf, off)).Get()
			if rerr != nil {
				cause = s.sendError(co, fd, rerr)
				return struct{}{}
			}
			if n == 0 {
				cause = nil
				return struct{}{}
			}
			off += int64(n)
			if cause = s.sendAll(co, fd, buf[:n]); cause != nil {
				return struct{}{}
			}
			sent += int64(n)
		}
	})
}

// sendAll sends all of p, one send after another over short sends, each
// bounded by the idle timeout.
func (s *Server) sendAll(co *future.Co, fd int, p []byte) error {
	for len(p) > 0 {
		n, err := future.Await(co, s.l.Send(fd, p, s.cfg.Idle)).Get()
		if errors.Is(err, loop.ErrTimeout) {
			return errIdle
		}
		if err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// readLine reads up to and including the first '\n', or to EOF. A line
// longer than filename.MaxLen is refused without reading the rest.
func (s *Server) readLine(co *future.Co, fd int) ([]byte, error) {
	var line []byte
	for {
		b, err := future.Await(co, s.l.Recv(fd, s.cfg.Idle)).Get()
		if errors.Is(err, loop.ErrTimeout) {
			return nil, errIdle
		}
		if err == nil {
			line = append(line, s.l.Bytes(b)...)
			s.l.Release(b)
		}
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
func (s *Server) sendError(co *future.Co, fd int, err error) error {
	s.sendAll(co, fd, []byte("error: "+err.Error()+"\n"))
	return err
}
