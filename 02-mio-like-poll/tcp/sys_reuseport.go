//go:build !freebsd

package tcp

import "golang.org/x/sys/unix"

// reusePort is the option ListenConfig.ReusePort sets. On Linux, sockets
// that share a port with it share the incoming connections.
const reusePort = unix.SO_REUSEPORT
