package echo_test

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/06-async-echo/echo"
)

func Example() {
	ex, err := executor.New(executor.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv, err := echo.Listen(ex, echo.Config{Addr: "127.0.0.1:0", Grace: time.Second})
	if err != nil {
		fmt.Println(err)
		ex.Close()
		return
	}
	var stop executor.Notify

	go func() { // a client, on a goroutine of its own
		defer stop.Notify() // what SIGINT does in main.go
		got, err := ask(srv.Addr().String(), "hello, echo")
		fmt.Printf("client got %q, %v\n", got, err)
	}()

	serveErr, err := executor.BlockOn(ex, srv.Serve(&stop))
	fmt.Println("server stopped:", serveErr, err)
	// Output:
	// client got "hello, echo", <nil>
	// server stopped: <nil> <nil>
}

// ask sends msg, half-closes (the rest is echoed, then the server closes)
// and reads everything back, for at most two seconds.
func ask(addr, msg string) ([]byte, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
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
