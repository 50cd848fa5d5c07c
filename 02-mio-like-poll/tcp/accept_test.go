package tcp

import (
	"net"
	"net/netip"
	"testing"
)

// TestAcceptAllocatesOnlyTheStream: an accept costs the *Stream and nothing
// else, so that a server taking 10,000 connections leaves no garbage per
// connection (unix.Accept4 and getsockname left 144 bytes each). And the
// addresses are still right: the peer's, and the local one, also on a
// listener bound to every address.
func TestAcceptAllocatesOnlyTheStream(t *testing.T) {
	for _, bind := range []string{"127.0.0.1:0", "0.0.0.0:0"} {
		t.Run(bind, func(t *testing.T) {
			l, err := Listen(bind)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			target := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), l.Addr().Port())
			const n = 50
			var clients []net.Conn
			defer func() {
				for _, c := range clients {
					c.Close()
				}
			}()
			for range n + 1 {
				c, err := net.Dial("tcp", target.String())
				if err != nil {
					t.Fatal(err)
				}
				clients = append(clients, c)
			}
			s, peer, err := acceptWaiting(l)
			if err != nil {
				t.Fatal(err)
			}
			if want := clients[0].LocalAddr().String(); peer.String() != want || s.PeerAddr().String() != want {
				t.Errorf("peer %v, PeerAddr %v, want %v", peer, s.PeerAddr(), want)
			}
			if s.LocalAddr() != target {
				t.Errorf("LocalAddr %v, want %v", s.LocalAddr(), target)
			}
			s.Close()
			allocs := testing.AllocsPerRun(n-1, func() {
				s, _, err := acceptWaiting(l)
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
			})
			want := 1.0 // the Stream
			if bind == "0.0.0.0:0" {
				want = 3 // and getsockname's buffer and result: only it knows the local address
			}
			if allocs > want {
				t.Errorf("%v allocations per accept, want %v", allocs, want)
			}
		})
	}
}

// acceptWaiting accepts a connection that is known to be in the queue (the
// client's connect returned), retrying the rare would-block while the
// kernel finishes the handshake.
func acceptWaiting(l *Listener) (*Stream, netip.AddrPort, error) {
	for {
		s, peer, err := l.Accept()
		if err != ErrWouldBlock {
			return s, peer, err
		}
	}
}
