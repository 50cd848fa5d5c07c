package executor

// go test -run '^$' -bench EchoRoundTrip ./05-executor/executor

import (
	"io"
	"net"
	"testing"

	"github.com/async-from-scratch/course/04-futures/future"
)

// A 64-byte echo round trip: a net.Conn client on the benchmark goroutine,
// the echoMachine handler on an executor on another goroutine. It shows
// what the yield before blocking costs (or saves) when the loop is woken by
// the network rather than by other goroutines.
func BenchmarkEchoRoundTrip(b *testing.B) {
	for _, c := range []struct {
		name string
		opts Options
	}{{"yield", Options{}}, {"no-yield", Options{NoYield: true}}} {
		b.Run(c.name, func(b *testing.B) {
			ex, err := New(c.opts)
			if err != nil {
				b.Fatal(err)
			}
			l, err := ex.Listen("127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			var stop Notify
			done := make(chan error, 1)
			go func() {
				_, err := BlockOn(ex, future.Async(func(co *future.Co) error {
					r := future.Await(co, l.Accept())
					if r.Err != nil {
						return r.Err
					}
					Spawn(ex, &echoMachine{s: r.Value, buf: make([]byte, 4096)})
					future.Await(co, &stop)
					return nil
				}))
				done <- err
			}()
			conn, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			msg, back := make([]byte, 64), make([]byte, 64)
			for b.Loop() {
				if _, err := conn.Write(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(conn, back); err != nil {
					b.Fatal(err)
				}
			}
			conn.Close()
			stop.Notify()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}
