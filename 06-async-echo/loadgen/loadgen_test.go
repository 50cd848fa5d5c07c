package loadgen

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// echoServer is the simplest correct echo server there is: io.Copy per
// connection on the net package. Here it only checks the client.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

func TestRoundVerifiesEchoes(t *testing.T) {
	testutil.CheckNoFDLeak(t)
	addr := echoServer(t)
	for name, dial := range map[string]Dialer{
		"net":      func(a string) (Conn, error) { return net.Dial("tcp", a) },
		"DialFile": DialFile,
	} {
		t.Run(name, func(t *testing.T) {
			testutil.Within(t, 20*time.Second, "Round", func() {
				p, err := Dial(dial, addr, 8)
				if err != nil {
					t.Error(err)
					return
				}
				defer p.Close()
				st, err := p.Round(1000, 5, 1)
				if err != nil || st.Messages != 40 || st.Bytes != 40000 {
					t.Errorf("Round(1000, 5) = %d messages, %d bytes, %v; want 40, 40000, nil", st.Messages, st.Bytes, err)
				}
				if err := CloseWrite(p.Conns()[0]); err != nil {
					t.Errorf("CloseWrite: %v", err)
				}
			})
		})
	}
}

func TestDialFileBadAddress(t *testing.T) {
	if _, err := DialFile("nonsense"); err == nil {
		t.Error(`DialFile("nonsense") = nil error, want one`)
	}
}
