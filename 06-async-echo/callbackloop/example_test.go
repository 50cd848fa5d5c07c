package callbackloop_test

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/06-async-echo/callbackloop"
)

func Example() {
	ln, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	addr := ln.Addr().String()
	srv, err := callbackloop.New(ln, callbackloop.Options{})
	if err != nil {
		fmt.Println(err)
		ln.Close()
		return
	}
	done := make(chan error)
	go func() { done <- srv.Run() }()

	echoed, err := ask(addr, "hello")
	fmt.Printf("%q, %v\n", echoed, err)

	srv.Stop()
	fmt.Println("Run:", <-done)
	// Output:
	// "hello", <nil>
	// Run: <nil>
}

// ask sends msg, half-closes (the loop echoes the rest, then closes) and
// reads everything back, for at most five seconds. Any client will do.
func ask(addr, msg string) ([]byte, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return nil, err
	}
	if _, err := c.Write([]byte(msg)); err != nil {
		return nil, err
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		return nil, err
	}
	return io.ReadAll(c)
}
