package tcp_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/poll"
	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
)

// A listener and a client in one process: every call returns at once, and
// ErrWouldBlock means "wait for the next event".
func Example() {
	l, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	_, _, err = l.Accept() // nobody has connected yet
	fmt.Println("accept on an empty queue:", errors.Is(err, tcp.ErrWouldBlock))

	client, err := tcp.StartConnect(l.Addr()) // returns at once
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	p, err := poll.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	p.Register(l, 0, poll.Readable, poll.Level)
	events := poll.NewEvents(4)
	p.Poll(events, 5*time.Second) // the listener becomes readable
	server, _, err := l.Accept()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer server.Close()
	p.Deregister(l)

	server.Write([]byte("PING"))
	p.Register(client, 1, poll.Readable, poll.Level)
	p.Poll(events, 5*time.Second)
	buf := make([]byte, 4)
	n, _ := client.Read(buf)
	fmt.Printf("client read %s\n", buf[:n])
	p.Deregister(client)
	// Output:
	// accept on an empty queue: true
	// client read PING
}
