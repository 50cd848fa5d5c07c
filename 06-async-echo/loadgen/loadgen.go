package loadgen

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Conn is what the pool needs from a connection.
type Conn interface {
	io.ReadWriteCloser
}

// deadliner is implemented by net.Conn and *os.File; when a connection has
// it, every round arms a deadline so that a stuck server fails the round
// instead of hanging it.
type deadliner interface {
	SetDeadline(t time.Time) error
}

// Dialer opens one connection to addr.
type Dialer func(addr string) (Conn, error)

// Pool is a set of open connections to one echo server.
type Pool struct {
	conns   []Conn
	Timeout time.Duration // bound on one round per connection; 0 means 30 s
}

// Dial opens n connections to addr, one after the other (a burst of
// simultaneous connects would only measure the listen backlog).
func Dial(dial Dialer, addr string, n int) (*Pool, error) {
	p := &Pool{}
	for i := range n {
		c, err := dial(addr)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("loadgen: connection %d of %d: %w", i+1, n, err)
		}
		p.conns = append(p.conns, c)
	}
	return p, nil
}

// Len is the number of connections in the pool.
func (p *Pool) Len() int { return len(p.conns) }

// Conns returns the pool's connections (for tests that drive one by hand).
func (p *Pool) Conns() []Conn { return p.conns }

// Close closes every connection and returns the first error.
func (p *Pool) Close() error {
	var first error
	for _, c := range p.conns {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	p.conns = nil
	return first
}

// Stats is the outcome of one or more rounds.
type Stats struct {
	Messages  int             // echoes received and verified
	Bytes     int64           // payload bytes echoed (one direction)
	Elapsed   time.Duration   // wall time of the rounds
	Latencies []time.Duration // one round trip per message
}

// Add merges o into s (Elapsed adds up: rounds run one after another).
func (s *Stats) Add(o Stats) {
	s.Messages += o.Messages
	s.Bytes += o.Bytes
	s.Elapsed += o.Elapsed
	s.Latencies = append(s.Latencies, o.Latencies...)
}

// PerSecond is the message rate.
func (s Stats) PerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Messages) / s.Elapsed.Seconds()
}

// Percentile returns the q-quantile (0 <= q <= 1) of the latencies, by the
// nearest-rank method; 0 when there are none.
func (s Stats) Percentile(q float64) time.Duration {
	if len(s.Latencies) == 0 {
		return 0
	}
	l := slices.Clone(s.Latencies)
	slices.Sort(l)
	i := int(q*float64(len(l))+0.5) - 1
	i = max(0, min(i, len(l)-1))
	return l[i]
}

// Round makes every connection, concurrently, send perConn messages of size
// bytes (random bytes from seed, all 256 values) and read each echo back
// before sending the next. Every byte is compared.
func (p *Pool) Round(size, perConn int, seed uint64) (Stats, error) {
	timeout := p.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total Stats
		errs  []error
	)
	start := time.Now()
	for i, c := range p.conns {
		wg.Go(func() {
			lat, err := pingPong(c, size, perConn, seed+uint64(i), start.Add(timeout))
			mu.Lock()
			defer mu.Unlock()
			total.Messages += len(lat)
			total.Bytes += int64(len(lat) * size)
			total.Latencies = append(total.Latencies, lat...)
			if err != nil {
				errs = append(errs, fmt.Errorf("connection %d: %w", i, err))
			}
		})
	}
	wg.Wait()
	total.Elapsed = time.Since(start)
	return total, errors.Join(errs...)
}

func pingPong(c Conn, size, count int, seed uint64, deadline time.Time) ([]time.Duration, error) {
	if d, ok := c.(deadliner); ok {
		_ = d.SetDeadline(deadline)
		defer d.SetDeadline(time.Time{})
	}
	msg := Payload(size, seed)
	got := make([]byte, size)
	lat := make([]time.Duration, 0, count)
	for range count {
		t0 := time.Now()
		if _, err := c.Write(msg); err != nil {
			return lat, fmt.Errorf("write: %w", err)
		}
		if _, err := io.ReadFull(c, got); err != nil {
			return lat, fmt.Errorf("read echo: %w", err)
		}
		lat = append(lat, time.Since(t0))
		if !bytes.Equal(got, msg) {
			return lat, fmt.Errorf("echo differs from what was sent (%d bytes)", size)
		}
	}
	return lat, nil
}

// Payload returns size pseudo-random bytes (all 256 values) determined by seed.
func Payload(size int, seed uint64) []byte {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	b := make([]byte, size)
	_, _ = rand.NewChaCha8(key).Read(b) // never fails
	return b
}
