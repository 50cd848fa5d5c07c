package callbackloop_test

import (
	"fmt"
	"io"
	"net"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/06-async-echo/callbackloop"
)

func Example() {
	ln, _ := tcp.Listen("127.0.0.1:0")
	addr := ln.Addr().String()
	srv, _ := callbackloop.New(ln, callbackloop.Options{})
	done := make(chan error)
	go func() { done <- srv.Run() }()

	c, _ := net.Dial("tcp", addr) // any client will do
	c.Write([]byte("hello"))
	c.(*net.TCPConn).CloseWrite()
	echoed, _ := io.ReadAll(c)
	c.Close()
	fmt.Printf("%s\n", echoed)

	srv.Stop()
	fmt.Println(<-done)
	// Output:
	// hello
	// <nil>
}
