package testutil

import (
	"io"
	"net"
	"testing"
	"time"
)

// FDLimitCase is an echo server in a child process (see StartChild) whose
// RLIMIT_NOFILE leaves room for Room connections (see FDLimitWithRoom).
type FDLimitCase struct {
	Server   *Child        // prints its address first
	Room     int           // connections it can hold at once
	MaxTicks int           // CPU clock ticks it may use in the second it spends at the limit
	Refill   time.Duration // how long a waiting client may wait once others close
}

// CheckAcceptAtFDLimit connects 2*Room+2 clients, each sending one byte, and
// checks that (1) the first Room are echoed, (2) the server does not spin
// while accept fails with EMFILE (its CPU time in a second at the limit
// stays within MaxTicks), and (3) once the first Room clients close, the
// next Room are served within Refill. A child process, so that the test's
// own descriptor limit is never touched. It needs /proc (CPUTicks).
func CheckAcceptAtFDLimit(t *testing.T, tc FDLimitCase) {
	t.Helper()
	addr, room := tc.Server.Line, tc.Room
	Within(t, 60*time.Second, "accept at the fd limit", func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for range 2*room + 2 {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second) // the kernel's backlog accepts
			if err != nil {
				t.Error(err)
				return
			}
			c.Write([]byte("x"))
			conns = append(conns, c)
		}
		served := func(c net.Conn, wait time.Duration) bool {
			c.SetReadDeadline(time.Now().Add(wait))
			_, err := io.ReadFull(c, make([]byte, 1))
			return err == nil
		}
		for i := range room {
			if !served(conns[i], 10*time.Second) {
				t.Errorf("client %d not served although the server had room", i)
				return
			}
		}
		// The rest wait in the backlog while accept says EMFILE.
		before := cpuTicks(t, tc.Server.Pid)
		if served(conns[room], time.Second) {
			t.Errorf("client %d served beyond the fd limit: is the limit in place?", room)
		}
		if used := cpuTicks(t, tc.Server.Pid) - before; used > tc.MaxTicks {
			t.Errorf("server used %d clock ticks of CPU in 1s at the fd limit: spinning on accept", used)
		}
		// Free the descriptors; the waiting clients must be served.
		for _, c := range conns[:room] {
			c.Close()
		}
		for i := room; i < 2*room; i++ {
			if !served(conns[i], tc.Refill) {
				t.Errorf("client %d not served within %v after %d clients closed: did the server close their connections and free the descriptors?", i, tc.Refill, room)
				return
			}
		}
	})
}

func cpuTicks(t *testing.T, pid int) int {
	user, system, err := CPUTicks(pid)
	if err != nil {
		t.Fatal(err)
	}
	return user + system
}
