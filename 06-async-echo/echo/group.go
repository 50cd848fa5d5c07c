package echo

import (
	"errors"
	"net/netip"
	"sync"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/05-executor/executor"
)

// Group is one server on several event loops: "one executor per core".
// Each of its Config.Loops loops is the single-loop Server of this package
// on its own executor, with its own listening socket on the same port
// (SO_REUSEPORT), so that the kernel spreads new connections over the loops.
// The loops share nothing else: a connection stays on the loop that
// accepted it for its whole life, and MaxConns counts per loop.
type Group struct {
	loops []*loop
}

// loop is one executor and the server it runs.
type loop struct {
	ex   *executor.Executor
	srv  *Server
	stop executor.Notify // Group.Stop notifies every loop
}

// ListenGroup binds cfg.Addr once per loop, each socket with SO_REUSEPORT;
// the first binds cfg.Addr ("127.0.0.1:0" picks a port), the others join
// the port it got. opts configures every loop's executor. With Loops 1 it
// is Listen on one new executor, without SO_REUSEPORT.
func ListenGroup(cfg Config, opts executor.Options) (*Group, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	lc := tcp.ListenConfig{ReusePort: cfg.Loops > 1}
	g := &Group{}
	for i := range cfg.Loops {
		lcfg, lopts := cfg, opts
		if cfg.Loops > 1 {
			lcfg.Logger = cfg.Logger.With("loop", i)
			if opts.Logger != nil {
				lopts.Logger = opts.Logger.With("loop", i)
			}
		}
		l, err := listenLoop(lc, lcfg, lopts)
		if err != nil {
			g.close()
			return nil, err
		}
		g.loops = append(g.loops, l)
		cfg.Addr = l.srv.Addr().String() // the next loops join this port
	}
	return g, nil
}

// listenLoop makes one loop: an executor that adopts its own listener.
func listenLoop(lc tcp.ListenConfig, cfg Config, opts executor.Options) (*loop, error) {
	ex, err := executor.New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := lc.Listen(cfg.Addr)
	if err != nil {
		ex.Close()
		return nil, err
	}
	l, err := ex.AdoptListener(ln)
	if err != nil {
		ln.Close()
		ex.Close()
		return nil, err
	}
	return &loop{ex: ex, srv: newServer(ex, l, cfg)}, nil
}

// close releases loops that never ran (ListenGroup failing half-way).
func (g *Group) close() {
	for _, l := range g.loops {
		l.ex.Close() // closes the listener it adopted
	}
}

// Addr is the address every loop listens on.
func (g *Group) Addr() netip.AddrPort { return g.loops[0].srv.Addr() }

// Run runs every loop on a goroutine of its own until Stop, and returns
// when all have shut down (each with its own grace period, at the same
// time), with their errors joined. A loop that fails stops the others.
// Call it once.
func (g *Group) Run() error {
	errs := make([]error, len(g.loops))
	var wg sync.WaitGroup
	for i, l := range g.loops {
		wg.Go(func() {
			v, err := executor.BlockOn(l.ex, l.srv.Serve(&l.stop))
			errs[i] = errors.Join(err, v)
			if errs[i] != nil {
				g.Stop()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Stop makes every loop shut down as a signal does; safe from any
// goroutine, any number of times, also before Run.
func (g *Group) Stop() {
	for _, l := range g.loops {
		l.stop.Notify()
	}
}
