package echo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// Mode picks the protocol.
type Mode string

const (
	ModeEcho Mode = "echo" // echo every byte until the client closes
	ModeFile Mode = "file" // the blog's afterword: send the named file
)

// Style picks how an echo connection is written (see the package doc).
type Style string

const (
	StyleMachine   Style = "machine"   // hand-written state machine (default)
	StyleCoroutine Style = "coroutine" // future.Async body
)

// Config describes a server. Zero values pick the defaults.
type Config struct {
	Addr     string        // "127.0.0.1:7878"
	Mode     Mode          // ModeEcho
	Style    Style         // StyleMachine
	Root     *os.Root      // ModeFile: the only folder served (required)
	Idle     time.Duration // close a connection that moved no byte either way this long; 0: never
	MaxConns int           // stop accepting while this many are open; 0: no limit
	Grace    time.Duration // on shutdown, how long open connections may finish; 0 -> 5 s
	BufSize  int           // the shared read buffer; 0 -> 64 KiB
	Logger   *slog.Logger  // nil: discard
	Loops    int           // event loops, one executor each (ListenGroup); 0 -> 1
}

// Server is a bound listener and the state its tasks share. Everything in it
// is touched only on the executor's goroutine.
type Server struct {
	ex   *executor.Executor
	ln   *executor.Listener
	cfg  Config
	log  *slog.Logger
	buf  []byte // shared read buffer (machine style): echoed at once, never kept
	live int    // connections open now

	slotWaker  future.Waker // the accept loop, waiting for live < MaxConns
	drainWaker future.Waker // Serve, waiting during the grace period for live == 0
}

// Listen binds cfg.Addr on ex. Errors are clear: "bind 127.0.0.1:7878:
// address already in use", `tcp: bad address "x": ...`.
func Listen(ex *executor.Executor, cfg Config) (*Server, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	if cfg.Loops > 1 {
		return nil, fmt.Errorf("echo: %d loops need ListenGroup, not Listen (one executor)", cfg.Loops)
	}
	ln, err := ex.Listen(cfg.Addr)
	if err != nil {
		return nil, err
	}
	return newServer(ex, ln, cfg), nil
}

// check fills in the defaults and rejects what cannot work.
func (cfg Config) check() (Config, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:7878"
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeEcho
	}
	if cfg.Style == "" {
		cfg.Style = StyleMachine
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 5 * time.Second
	}
	if cfg.BufSize <= 0 {
		cfg.BufSize = 64 << 10
	}
	if cfg.Loops <= 0 {
		cfg.Loops = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	switch cfg.Mode {
	case ModeEcho, ModeFile:
	default:
		return cfg, fmt.Errorf("echo: unknown mode %q (want echo or file)", cfg.Mode)
	}
	switch cfg.Style {
	case StyleMachine, StyleCoroutine:
	default:
		return cfg, fmt.Errorf("echo: unknown style %q (want machine or coroutine)", cfg.Style)
	}
	if cfg.Mode == ModeFile && cfg.Root == nil {
		return cfg, errors.New("echo: file mode needs a root folder")
	}
	return cfg, nil
}

// newServer is a server accepting from ln on ex; cfg has been checked.
func newServer(ex *executor.Executor, ln *executor.Listener, cfg Config) *Server {
	return &Server{ex: ex, ln: ln, cfg: cfg, log: cfg.Logger, buf: make([]byte, cfg.BufSize)}
}

// Addr is the address the server listens on (the real port after ":0").
func (s *Server) Addr() netip.AddrPort { return s.ln.Addr() }

// Serve is the root future: accept until stop is ready, then shut down
// gracefully. Its value is nil after a clean shutdown.
func (s *Server) Serve(stop future.Future[struct{}]) future.Future[error] {
	return future.Async(func(co *future.Co) error {
		defer s.ln.Close()
		s.log.Info("listening", "addr", s.Addr(), "mode", s.cfg.Mode)
		next := &nextConn{srv: s, stop: stop} // one future, awaited again and again
		// The blog's loop: while let Ok((stream, addr)) = await!(listener.accept()).
		for {
			stream, err := future.Await(co, next).Get()
			if errors.Is(err, errStop) {
				break // the signal came in through the executor's custom event
			}
			if err != nil {
				if errors.Is(err, executor.ErrClosed) {
					return err
				}
				// EINTR, ECONNABORTED and EMFILE are handled inside
				// PollAccept (retried, or retried after a back-off).
				// Anything else is reported and the loop goes on.
				s.log.Warn("accept", "err", err)
				continue
			}
			s.live++
			if s.log.Enabled(context.Background(), slog.LevelInfo) {
				s.log.Info("connection", "peer", stream.PeerAddr(), "open", s.live)
			}
			executor.SpawnDetached(s.ex, s.handler(stream)) // no handle: nobody joins a connection
		}
		return s.shutdown(co)
	})
}

var errStop = errors.New("stop requested")

// nextConn is the accept loop's one future: ready with the next connection,
// or with errStop once stop is ready. It is written by hand, not as
// Select(Accept(), stop), so that accepting allocates nothing: garbage made
// at every accept would sit between the long-lived connection objects in
// the heap (see the memory numbers in the chapter).
type nextConn struct {
	srv  *Server
	stop future.Future[struct{}]
}

func (n *nextConn) Poll(cx *future.Context) future.Poll[executor.Result[*executor.Stream]] {
	s := n.srv
	if n.stop.Poll(cx).IsReady() { // stores cx's waker in the Notify
		return future.PollReady(executor.Result[*executor.Stream]{Err: errStop})
	}
	if s.cfg.MaxConns > 0 && s.live >= s.cfg.MaxConns {
		// Leave new connections in the kernel's backlog until one closes.
		s.slotWaker = cx.Waker() // woken by connDone
		return future.Pending[executor.Result[*executor.Stream]]()
	}
	st, err := s.ln.PollAccept(cx)
	if errors.Is(err, executor.ErrPending) {
		// The waker is stored in the reactor for the listener's next
		// readable edge (or the EMFILE back-off timer).
		return future.Pending[executor.Result[*executor.Stream]]()
	}
	return future.PollReady(executor.Result[*executor.Stream]{Value: st, Err: err})
}

// shutdown stops accepting, lets the open connections finish for the grace
// period and returns. BlockOn then drops whatever task is still running.
func (s *Server) shutdown(co *future.Co) error {
	s.ln.Close()
	s.log.Info("shutting down", "open", s.live, "grace", s.cfg.Grace)
	if s.live > 0 {
		r := future.Await(co, executor.Timeout(s.ex, s.cfg.Grace, future.PollFn(s.pollDrained)))
		if r.Err != nil {
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
	s.drainWaker = cx.Waker() // woken by connDone when the last one closes
	return future.Pending[struct{}]()
}

// connDone is called by every handler exactly once, when its connection is
// closed (also when its task is dropped at shutdown).
func (s *Server) connDone(peer netip.AddrPort, echoed int64, err error) {
	s.live--
	if s.log.Enabled(context.Background(), slog.LevelInfo) { // else skip building the record
		if err != nil {
			s.log.Info("closed", "peer", peer, "bytes", echoed, "err", err, "open", s.live)
		} else {
			s.log.Info("closed", "peer", peer, "bytes", echoed, "open", s.live)
		}
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

func (s *Server) handler(st *executor.Stream) future.Future[struct{}] {
	switch {
	case s.cfg.Mode == ModeFile:
		return s.serveFile(st)
	case s.cfg.Style == StyleCoroutine:
		return s.echoCoroutine(st)
	default:
		return s.newEchoConn(st)
	}
}
