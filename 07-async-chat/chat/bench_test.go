package chat

// go test -run XXX -bench Broadcast -benchtime 3x ./07-async-chat/chat

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/async-from-scratch/course/05-executor/executor"
)

// BenchmarkBroadcast: 10 senders and 100 or 1,000 receivers, against this
// server and the goroutine baseline in the same run. One op is one round:
// each sender sends 10 messages, and the round ends when every receiver
// has every message (so no queue ever holds more than a round, and nobody
// is disconnected). The metric is deliveries (lines received) per second.
func BenchmarkBroadcast(b *testing.B) {
	for _, receivers := range []int{100, 1000} {
		b.Run(fmt.Sprintf("async/receivers=%d", receivers), func(b *testing.B) {
			ex, err := executor.New(executor.Options{})
			if err != nil {
				b.Fatal(err)
			}
			srv, err := Listen(ex, Config{Addr: "127.0.0.1:0"})
			if err != nil {
				b.Fatal(err)
			}
			var stop executor.Notify
			done := make(chan struct{})
			go func() { executor.BlockOn(ex, srv.Serve(&stop)); close(done) }()
			benchBroadcast(b, srv.Addr().String(), receivers)
			stop.Notify()
			<-done
		})
		b.Run(fmt.Sprintf("goroutines/receivers=%d", receivers), func(b *testing.B) {
			srv, err := startGoChat(1024)
			if err != nil {
				b.Fatal(err)
			}
			benchBroadcast(b, srv.addr(), receivers)
			srv.close()
		})
	}
}

func benchBroadcast(b *testing.B, addr string, receivers int) {
	const senders, perRound = 10, 10
	var delivered, target atomic.Int64
	roundDone := make(chan struct{}, 1)
	var conns []net.Conn
	var readers sync.WaitGroup
	for range senders + receivers {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c)
		r := bufio.NewReader(c)
		if _, err := r.ReadString('\n'); err != nil { // the welcome
			b.Fatal(err)
		}
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				line, err := r.ReadSlice('\n')
				if err != nil {
					return
				}
				if line[0] == '*' {
					continue // joins
				}
				if delivered.Add(1) == target.Load() {
					roundDone <- struct{}{}
				}
			}
		}()
	}
	msgs := make([]string, senders)
	for i := range msgs {
		msgs[i] = strings.Repeat(fmt.Sprintf("message from sender %d\n", i), perRound)
	}
	perOp := int64(senders * perRound * (senders - 1 + receivers))
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		target.Add(perOp)
		for i := range senders {
			conns[i].Write([]byte(msgs[i]))
		}
		select {
		case <-roundDone:
		case <-time.After(30 * time.Second):
			b.Fatalf("a round did not complete in 30 s: %d of %d lines delivered", delivered.Load(), target.Load())
		}
	}
	b.ReportMetric(float64(delivered.Load())/time.Since(start).Seconds(), "deliveries/s")
	b.StopTimer()
	for _, c := range conns {
		c.Close()
	}
	readers.Wait()
}
