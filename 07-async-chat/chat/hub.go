package chat

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/async-from-scratch/course/04-futures/future"
)

// event is what readers send the hub.
type event struct {
	kind eventKind
	c    *client
	text string // the line (evLine)
}

type eventKind uint8

const (
	evJoin     eventKind = iota // a connection is ready: name it, welcome it
	evLine                      // a message, or a command
	evTooLong                   // the client sent a line over MaxLine
	evLeave                     // the connection is ending
	evShutdown                  // Serve: say goodbye to everyone and stop
)

func (k eventKind) String() string {
	return [...]string{"join", "line", "too-long", "leave", "shutdown"}[k]
}

// hubState is owned by the hub task.
type hubState struct {
	clients   []*client          // joined, by client.slot
	names     map[string]*client // nickname -> client
	nextGuest int
	closing   bool      // evShutdown seen: no more joins or messages
	kicked    []*client // too slow, to be announced as left
}

// runHub is the hub task: one event at a time, in the order they arrived.
// It never awaits anything but its inbox.
func (s *Server) runHub() future.Future[struct{}] {
	return future.Async(func(co *future.Co) struct{} {
		for {
			ev, err := future.Await(co, s.inbox.Recv()).Get()
			if err != nil {
				return struct{}{} // closed at shutdown and drained
			}
			s.logEvent(ev)
			s.handle(ev)
			s.announceKicked()
		}
	})
}

func (s *Server) handle(ev event) {
	h, c := &s.hub, ev.c
	switch ev.kind {
	case evJoin:
		if h.closing {
			c.out.TrySend([]byte("* server shutting down\n")) // its queue is empty
			c.out.Close()
			return
		}
		s.join(c)
	case evLine:
		if c.slot < 0 || h.closing {
			return // left, kicked, or shutting down: the line is dropped
		}
		s.command(c, ev.text)
	case evTooLong:
		if c.slot >= 0 {
			s.deliver(c, []byte("! line too long\n"))
		}
	case evLeave:
		if c.slot >= 0 {
			s.remove(c)
			s.broadcast(nil, "* "+c.name+" left\n")
		}
	case evShutdown:
		h.closing = true
		for _, c := range slices.Clone(h.clients) {
			s.deliver(c, []byte("* server shutting down\n"))
			if c.slot >= 0 {
				s.remove(c)
			}
		}
		h.kicked = nil // nobody is left to tell
		// Readers waiting to Send get ErrClosed; what is queued is drained
		// (and ignored) by the loop before runHub returns.
		s.inbox.Close()
	}
}

func (s *Server) join(c *client) {
	h := &s.hub
	for {
		h.nextGuest++
		c.name = fmt.Sprintf("guest-%d", h.nextGuest)
		if h.names[c.name] == nil {
			break // someone may have taken guest-N with /nick
		}
	}
	c.slot = len(h.clients)
	h.clients = append(h.clients, c)
	h.names[c.name] = c
	s.stats.Joined++
	s.debug("join", "client", c.name, "online", len(h.clients))
	s.deliver(c, []byte("* you are "+c.name+"; /nick NAME, /who, /quit\n"))
	s.broadcast(c, "* "+c.name+" joined\n")
}

// command handles one line from c.
func (s *Server) command(c *client, line string) {
	cmd, arg, _ := strings.Cut(line, " ")
	switch {
	case !strings.HasPrefix(line, "/"):
		s.stats.Messages++
		s.broadcast(c, c.name+": "+line+"\n")
	case cmd == "/nick":
		s.nick(c, arg)
	case line == "/who":
		names := make([]string, len(s.hub.clients))
		for i, o := range s.hub.clients {
			names[i] = o.name
		}
		slices.Sort(names)
		s.deliver(c, []byte("* online: "+strings.Join(names, ", ")+"\n"))
	case line == "/quit":
		// The reader stops after /quit and the connection sends evLeave,
		// which announces it; nothing to do here.
	default:
		s.deliver(c, []byte("! unknown command "+cmd+"; try /nick NAME, /who, /quit\n"))
	}
}

func (s *Server) nick(c *client, name string) {
	h := &s.hub
	switch {
	case !validNick(name):
		s.deliver(c, []byte("! a nickname is 1 to 32 letters, digits, _ or -\n"))
	case h.names[name] != nil:
		s.deliver(c, []byte("! nickname "+name+" is taken\n"))
	default:
		old := c.name
		delete(h.names, old)
		c.name = name
		h.names[name] = c
		s.broadcast(nil, "* "+old+" is now "+name+"\n")
	}
}

func validNick(name string) bool {
	if len(name) < 1 || len(name) > 32 {
		return false
	}
	for _, r := range []byte(name) {
		ok := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}

// broadcast queues line for every client but except (nil: everyone). The
// line is allocated once and shared by every queue.
func (s *Server) broadcast(except *client, line string) {
	b := []byte(line)
	n := 0
	for i := 0; i < len(s.hub.clients); i++ {
		c := s.hub.clients[i]
		if c == except {
			continue
		}
		s.deliver(c, b)
		if c.slot < 0 {
			i-- // kicked: the last client moved into slot i
		}
		n++
	}
	s.debug("broadcast", "bytes", len(b), "receivers", n)
}

// remove takes c out of the hub and closes its queue: its writer sends what
// is queued, then ends.
func (s *Server) remove(c *client) {
	h := &s.hub
	last := h.clients[len(h.clients)-1]
	h.clients[c.slot], last.slot = last, c.slot
	h.clients[len(h.clients)-1] = nil
	h.clients = h.clients[:len(h.clients)-1]
	c.slot = -1
	delete(h.names, c.name)
	c.out.Close()
	s.debug("leave", "client", c.name, "online", len(h.clients))
}

// kick disconnects a client that is too slow: its writer drops its queue,
// says "! too slow" if the socket takes it, and the connection closes.
func (s *Server) kick(c *client) {
	s.stats.Kicked++
	s.log.Info("too slow", "client", c.name, "queued", c.queued)
	c.kicked = true
	s.remove(c)
	s.hub.kicked = append(s.hub.kicked, c)
	if w := c.writerWaker; w != nil {
		w.Wake() // it may be waiting for the socket, not for out
	}
}

// announceKicked tells the others who was kicked. Announcing may kick more.
func (s *Server) announceKicked() {
	for len(s.hub.kicked) > 0 {
		c := s.hub.kicked[0]
		s.hub.kicked = s.hub.kicked[1:]
		s.broadcast(nil, "* "+c.name+" left\n")
	}
	s.hub.kicked = s.hub.kicked[:0:0]
}

// logEvent shows the channel traffic at debug level: each event the hub
// takes from its inbox, and how many wait behind it.
func (s *Server) logEvent(ev event) {
	if !s.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	name := ""
	if ev.c != nil {
		name = ev.c.name
	}
	s.log.Debug("hub recv", "event", ev.kind, "client", name, "bytes", len(ev.text), "inbox", s.inbox.Len())
}

func (s *Server) debug(msg string, args ...any) {
	if s.log.Enabled(context.Background(), slog.LevelDebug) {
		s.log.Debug(msg, args...)
	}
}
