package chat

// The baseline for BenchmarkBroadcast: the same chat core (welcome, joins,
// message broadcast, bounded per-client queues that disconnect a slow
// client) written the way Go is usually written: net, a goroutine per
// reader and per writer, Go channels for the queues, a hub goroutine.
// NOTE: no /nick, /who or long-line handling: the benchmark does not use
// them.

import (
	"bufio"
	"fmt"
	"net"
	"sync"
)

type goChat struct {
	ln    net.Listener
	join  chan *goClient
	leave chan *goClient
	lines chan goLine
	done  chan struct{}
	wg    sync.WaitGroup
}

type goClient struct {
	c    net.Conn
	name string
	out  chan []byte // bounded: a full queue disconnects the client
}

type goLine struct {
	from *goClient
	text string
}

func startGoChat(queueLines int) (*goChat, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &goChat{ln: ln, join: make(chan *goClient), leave: make(chan *goClient),
		lines: make(chan goLine, 1024), done: make(chan struct{})}
	s.wg.Add(2)
	go s.hub(queueLines)
	go s.accept()
	return s, nil
}

func (s *goChat) addr() string { return s.ln.Addr().String() }

func (s *goChat) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		cl := &goClient{c: c}
		select {
		case s.join <- cl:
		case <-s.done:
			c.Close()
			return
		}
	}
}

func (s *goChat) hub(queueLines int) {
	defer s.wg.Done()
	clients := map[*goClient]bool{}
	n := 0
	deliver := func(c *goClient, line []byte) {
		select {
		case c.out <- line:
		default: // too slow
			delete(clients, c)
			close(c.out)
		}
	}
	broadcast := func(except *goClient, line string) {
		b := []byte(line)
		for c := range clients {
			if c != except {
				deliver(c, b)
			}
		}
	}
	for {
		select {
		case c := <-s.join:
			n++
			c.name = fmt.Sprintf("guest-%d", n)
			c.out = make(chan []byte, queueLines)
			clients[c] = true
			s.wg.Add(2)
			go s.write(c)
			go s.read(c)
			deliver(c, []byte("* you are "+c.name+"\n"))
			broadcast(c, "* "+c.name+" joined\n")
		case l := <-s.lines:
			if clients[l.from] {
				broadcast(l.from, l.from.name+": "+l.text+"\n")
			}
		case c := <-s.leave:
			if clients[c] {
				delete(clients, c)
				close(c.out)
				broadcast(nil, "* "+c.name+" left\n")
			}
		case <-s.done:
			for c := range clients {
				close(c.out)
			}
			return
		}
	}
}

func (s *goChat) read(c *goClient) {
	defer s.wg.Done()
	sc := bufio.NewScanner(c.c)
	for sc.Scan() {
		select {
		case s.lines <- goLine{c, sc.Text()}:
		case <-s.done:
			return
		}
	}
	select {
	case s.leave <- c:
	case <-s.done:
	}
}

// write flushes whenever its queue is empty, so lines that queue up go out
// in one write, as our writer's batches do.
func (s *goChat) write(c *goClient) {
	defer s.wg.Done()
	defer c.c.Close()
	w := bufio.NewWriterSize(c.c, 32<<10)
	for line := range c.out {
		w.Write(line)
		if len(c.out) == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
	w.Flush()
}

func (s *goChat) close() {
	close(s.done)
	s.ln.Close()
	s.wg.Wait()
}
