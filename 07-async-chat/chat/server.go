package chat

import (
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/07-async-chat/channel"
	"github.com/async-from-scratch/course/07-async-chat/tasks"
)

// Config describes a server. Zero values pick the defaults.
type Config struct {
	Addr       string        // "127.0.0.1:7879"
	QueueLines int           // a client's outgoing queue, in lines; 0 -> 1024
	QueueBytes int           // the same, in bytes; 0 -> 256 KiB
	Grace      time.Duration // on shutdown (and after /quit), how long a client may take to read what it is owed; 0 -> 5 s
	Logger     *slog.Logger  // nil: discard
}

// MaxLine is the longest line a client may send, without its newline.
const MaxLine = 4096

func (cfg Config) withDefaults() Config {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:7879"
	}
	if cfg.QueueLines <= 0 {
		cfg.QueueLines = 1024
	}
	if cfg.QueueBytes <= 0 {
		cfg.QueueBytes = 256 << 10
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// Stats counts what the server did. Read it on the loop goroutine or after
// BlockOn returned.
type Stats struct {
	Joined          int // clients that joined
	Messages        int // message lines received
	Delivered       int // lines queued to clients
	Kicked          int // clients disconnected for being too slow
	PeakQueuedBytes int // the most bytes any one client had queued
}

// Server is a bound listener, the hub's state and the connections' group.
// Everything in it belongs to the executor's goroutine.
type Server struct {
	ex    *executor.Executor
	ln    *executor.Listener
	cfg   Config
	log   *slog.Logger
	inbox *channel.Chan[event] // readers -> hub
	conns *tasks.Group         // one task per connection
	hub   hubState
	stats Stats
}

// Listen binds cfg.Addr on ex.
func Listen(ex *executor.Executor, cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	ln, err := ex.Listen(cfg.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ex: ex, ln: ln, cfg: cfg, log: cfg.Logger,
		inbox: channel.New[event](1024), conns: tasks.NewGroup(ex)}
	s.conns.DiscardResults = true // nobody joins connections one by one
	s.hub.names = make(map[string]*client)
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() netip.AddrPort { return s.ln.Addr() }

// Stats returns the counters.
func (s *Server) Stats() Stats { return s.stats }

var errStop = errors.New("stop requested")

// Serve is the root future: run the hub, accept until stop is ready, then
// shut down: every client is told, gets what it is owed for at most Grace,
// and is closed. Its value is nil after a clean shutdown.
func (s *Server) Serve(stop future.Future[struct{}]) future.Future[error] {
	return future.Async(func(co *future.Co) error {
		defer s.ln.Close()
		hub := executor.Spawn(s.ex, s.runHub())
		s.log.Info("listening", "addr", s.Addr())
		for {
			// Accept is cancel-safe (a dropped accept leaves the connection
			// in the backlog), and so is a Notify: Select may drop either.
			stopped := future.Map(stop, func(struct{}) executor.Result[*executor.Stream] {
				return executor.Result[*executor.Stream]{Err: errStop}
			})
			won := future.Await(co, tasks.Select(s.ln.Accept(), stopped))
			st, err := won.Value.Get()
			if errors.Is(err, errStop) {
				break
			}
			if errors.Is(err, executor.ErrClosed) {
				return err
			}
			if err != nil {
				s.log.Warn("accept", "err", err) // EMFILE and friends are retried inside PollAccept
				continue
			}
			s.log.Info("connection", "peer", st.PeerAddr(), "open", s.conns.Len()+1)
			s.conns.Spawn(s.serveConn(st))
		}
		return s.shutdown(co, hub)
	})
}

// shutdown stops accepting, has the hub say goodbye and close every queue,
// and gives the connections Grace to flush.
func (s *Server) shutdown(co *future.Co, hub *executor.JoinHandle[struct{}]) error {
	s.ln.Close()
	s.log.Info("shutting down", "open", s.conns.Len(), "grace", s.cfg.Grace)
	deadline := s.ex.NewTimer(s.cfg.Grace)
	defer deadline.Stop()
	if err := future.Await(co, s.inbox.Send(event{kind: evShutdown})); err != nil {
		return err
	}
	future.Await(co, hub)
	r := future.Await(co, future.Select(s.conns.Wait(), future.Future[struct{}](deadline)))
	if !r.IsLeft {
		s.log.Info("grace period over; closing the rest", "open", s.conns.Len())
		s.conns.Cancel()
		future.Await(co, s.conns.Wait())
	}
	s.log.Info("stopped")
	return nil
}
