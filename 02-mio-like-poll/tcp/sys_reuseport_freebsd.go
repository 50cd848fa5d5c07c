package tcp

import "golang.org/x/sys/unix"

// reusePort is the option ListenConfig.ReusePort sets. FreeBSD's
// SO_REUSEPORT only lets sockets share a port; SO_REUSEPORT_LB (FreeBSD 12)
// also spreads the incoming connections over them, as Linux does.
const reusePort = unix.SO_REUSEPORT_LB
