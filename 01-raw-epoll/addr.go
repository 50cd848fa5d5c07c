//go:build linux

package main

import (
	"errors"
	"fmt"
	"net/netip"
)

// errBadAddress is wrapped by every -addr error, so callers can test for it
// with errors.Is.
var errBadAddress = errors.New("bad address")

// parseAddr checks the -addr flag: a numeric IPv4 loopback address and a
// port, such as 127.0.0.1:0 (port 0 asks the kernel for a free port).
//
// Refused, each with its own one-line reason:
//   - anything that is not IP:port, host names included: resolving a name
//     is blocking I/O (DNS), the very thing this course takes apart later;
//   - IPv6: stage 01 builds AF_INET sockets only, to keep the sockaddr code
//     to a few lines;
//   - non-loopback addresses: the program talks only to itself, so there is
//     no reason to open a listening port to the network.
func parseAddr(s string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(s)
	switch {
	case err != nil:
		return netip.AddrPort{}, fmt.Errorf("%w %q: want a numeric IPv4 address and a port, such as 127.0.0.1:0 (host names are not resolved)", errBadAddress, s)
	case !ap.Addr().Is4():
		return netip.AddrPort{}, fmt.Errorf("%w %q: IPv6 is not supported by this stage; use an IPv4 loopback address such as 127.0.0.1:0", errBadAddress, s)
	case !ap.Addr().IsLoopback():
		return netip.AddrPort{}, fmt.Errorf("%w %q: not a loopback address; this program talks only to itself, so it listens only on 127.0.0.0/8", errBadAddress, s)
	}
	return ap, nil
}
