//go:build !linux

package main

import (
	"fmt"
	"os"
)

// main explains in one line why there is nothing to run here.
func main() {
	fmt.Fprintln(os.Stderr, "01-raw-epoll: this stage calls epoll, which only Linux has; on this system start with stage 02: go run ./02-mio-like-poll")
	os.Exit(1)
}
