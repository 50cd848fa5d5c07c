//go:build !linux

package main

import (
	"fmt"
	"os"
)

// main explains in one line why there is nothing to run here.
func main() {
	fmt.Fprintln(os.Stderr, "08-io-uring: this stage uses io_uring, which only Linux has; stage 06 runs the same echo server on epoll or kqueue: go run ./06-async-echo")
	os.Exit(1)
}
