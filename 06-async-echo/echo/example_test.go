package echo_test

import (
	"fmt"
	"io"
	"net"

	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/echo"
)

func Example() {
	ex, _ := executor.New(executor.Options{})
	srv, _ := echo.Listen(ex, echo.Config{Addr: "127.0.0.1:0"})
	var stop executor.Notify

	go func() { // a client, on a goroutine of its own
		c, _ := net.Dial("tcp", srv.Addr().String())
		c.Write([]byte("hello, echo"))
		c.(*net.TCPConn).CloseWrite() // half-close: the rest is echoed, then closed
		got, _ := io.ReadAll(c)
		c.Close()
		fmt.Printf("client got %q\n", got)
		stop.Notify() // what SIGINT does in main.go
	}()

	err, _ := executor.BlockOn(ex, srv.Serve(&stop))
	fmt.Println("server stopped:", err)
	// Output:
	// client got "hello, echo"
	// server stopped: <nil>
}
