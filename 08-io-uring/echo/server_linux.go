package echo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/08-io-uring/loop"
)

// Mode picks the protocol.
type Mode string

const (
	ModeEcho Mode = "echo" // echo every byte until the client closes
	ModeFile Mode = "file" // the blog's afterword: send the named file
)

// Config describes a server. Zero values pick the defaults.
type Config struct {
	Addr     string        // "127.0.0.1:7880"
	Mode     Mode          // ModeEcho
	Root     *os.Root      // ModeFile: the only folder served (required)
	Idle     time.Duration // close a connection silent (or not reading) this long; 0: never
	MaxConns int           // stop accepting while this many are open; 0: no limit
	Grace    time.Duration // on shutdown, how long open connections may finish; 0 -> 5 s
	Logger   *slog.Logger  // nil: discard

	// OneShot uses an SQE per accept and per recv. By default, on kernels
	// with multishot operations (6.0 and later), one multishot accept
	// serves every connection and one multishot recv serves each
	// connection, except where this server needs the one-shot forms: with
	// Idle (a LINK_TIMEOUT needs an operation of its own) the recvs, with
	// MaxConns (accepting must stop and start) the accepts.
	OneShot bool
}

// Server is a listening socket and the state its tasks share, all on the
// loop's goroutine.
type Server struct {
	l   *loop.Loop
	ln  *tcp.Listener
	cfg Config
	log *slog.Logger

	live       int          // connections open now
	slotWaker  future.Waker // the accept loop, waiting for live < MaxConns
	drainWaker future.Waker // shutdown, waiting for live == 0
}

// Listen binds cfg.Addr (stage 02's tcp.Listen: its errors name the address)
// for a server on l.
func Listen(l *loop.Loop, cfg Config) (*Server, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	ln, err := tcp.Listen(cfg.Addr)
	if err != nil {
		return nil, err
	}
	return &Server{l: l, ln: ln, cfg: cfg, log: cfg.Logger}, nil
}

func (cfg Config) check() (Config, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:7880"
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeEcho
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	switch cfg.Mode {
	case ModeEcho:
	case ModeFile:
		if cfg.Root == nil {
			return cfg, errors.New("echo: file mode needs a root folder")
		}
	default:
		return cfg, fmt.Errorf("echo: unknown mode %q (want echo or file)", cfg.Mode)
	}
	return cfg, nil
}

// Addr is the address the server listens on (the real port after ":0").
func (s *Server) Addr() netip.AddrPort { return s.ln.Addr() }

// Serve is the root future: accept until stop is ready, then shut down
// gracefully. Its value is nil after a clean shutdown.
func (s *Server) Serve(stop future.Future[struct{}]) future.Future[error] {
	return future.Async(func(co *future.Co) error {
		defer s.ln.Close()
		s.log.Info("listening", "addr", s.Addr(), "mode", s.cfg.Mode)
		next := &nextConn{srv: s, stop: stop}
		defer next.Drop()
		for {
			fd, err := future.Await(co, next).Get()
			switch {
			case errors.Is(err, errStop):
				return s.shutdown(co)
			case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE):
				// Out of descriptors: the connection stays in the backlog.
				// Retry after a pause (a Sleep on the ring), not at once:
				// an immediate retry fails the same way, at 100% CPU.
				s.log.Warn("accept: out of descriptors; retrying in 50ms", "err", err)
				future.Await(co, s.l.Sleep(50*time.Millisecond))
			case errors.Is(err, unix.ECONNABORTED), errors.Is(err, unix.EINTR):
				// The client gave up in the backlog, or a signal: next.
			case err != nil:
				s.log.Warn("accept", "err", err)
			default:
				s.live++
				if s.log.Enabled(context.Background(), slog.LevelInfo) {
					s.log.Info("connection", "fd", fd, "open", s.live)
				}
				loop.Spawn(s.l, s.handler(fd))
			}
		}
	})
}

var errStop = errors.New("stop requested")

// nextConn is the accept loop's future: the next connection, or errStop once
// stop is ready. One accept is in flight at a time; stopping drops it, which
// cancels it.
type nextConn struct {
	srv    *Server
	stop   future.Future[struct{}]
	accept future.Future[loop.Result[int]] // one-shot
	multi  *loop.Acceptor                  // multishot
}

func (n *nextConn) Poll(cx *future.Context) future.Poll[loop.Result[int]] {
	s := n.srv
	if n.stop.Poll(cx).IsReady() {
		return future.PollReady(loop.Result[int]{Err: errStop})
	}
	if s.cfg.MaxConns > 0 && s.live >= s.cfg.MaxConns && n.accept == nil {
		// Leave new connections in the kernel's backlog until one closes.
		s.slotWaker = cx.Waker()
		return future.Pending[loop.Result[int]]()
	}
	if s.multishotAccept() {
		if n.multi == nil {
			n.multi = s.l.AcceptMulti(s.ln.Fd())
		}
		fd, err, ready := n.multi.PollAccept(cx)
		if !ready {
			return future.Pending[loop.Result[int]]()
		}
		return future.PollReady(loop.Result[int]{Value: fd, Err: err})
	}
	if n.accept == nil {
		n.accept = s.l.Accept(s.ln.Fd())
	}
	p := n.accept.Poll(cx)
	if p.IsReady() {
		n.accept = nil
	}
	return p
}

func (s *Server) multishotAccept() bool {
	return !s.cfg.OneShot && s.cfg.MaxConns == 0 && loop.Multishot()
}
func (s *Server) multishotRecv() bool { return !s.cfg.OneShot && s.cfg.Idle == 0 && loop.Multishot() }

// Drop cancels the accept in flight; a connection it still delivers is
// closed by the loop's shutdown (see loop.Run).
func (n *nextConn) Drop() {
	if n.accept != nil {
		future.Drop(n.accept)
		n.accept = nil
	}
	if n.multi != nil {
		n.multi.Close()
		n.multi = nil
	}
}

// shutdown stops accepting, lets open connections finish for the grace
// period and returns; Run then drops the rest (cancelling what they have in
// flight).
func (s *Server) shutdown(co *future.Co) error {
	s.log.Info("shutting down", "open", s.live, "grace", s.cfg.Grace)
	if s.live > 0 {
		r := future.Await(co, future.Select(s.l.Sleep(s.cfg.Grace), future.PollFn(s.pollDrained)))
		if r.IsLeft {
			s.log.Info("grace period over; closing the rest", "open", s.live)
		}
	}
	s.log.Info("stopped")
	return nil
}

func (s *Server) pollDrained(cx *future.Context) future.Poll[struct{}] {
	if s.live == 0 {
		return future.PollReady(struct{}{})
	}
	s.drainWaker = cx.Waker()
	return future.Pending[struct{}]()
}

// connDone is called by every handler exactly once, when its connection is
// closed (also when its task is dropped at shutdown).
func (s *Server) connDone(fd int, echoed int64, err error) {
	s.live--
	if s.log.Enabled(context.Background(), slog.LevelInfo) {
		s.log.Info("closed", "fd", fd, "bytes", echoed, "err", err, "open", s.live)
	}
	if w := s.slotWaker; w != nil {
		s.slotWaker = nil
		w.Wake()
	}
	if w := s.drainWaker; w != nil && s.live == 0 {
		s.drainWaker = nil
		w.Wake()
	}
}

func (s *Server) handler(fd int) future.Future[struct{}] {
	if s.cfg.Mode == ModeFile {
		return s.serveFile(fd)
	}
	c := &echoConn{s: s, fd: int32(fd)}
	if s.multishotRecv() {
		c.rx = s.l.RecvMulti(fd)
	}
	return c
}
