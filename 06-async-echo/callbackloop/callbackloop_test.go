package callbackloop

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
	"github.com/async-from-scratch/course/06-async-echo/loadgen"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func startLoop(t *testing.T, opts Options) string {
	t.Helper()
	ln, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	srv, err := New(ln, opts)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run() }()
	t.Cleanup(func() {
		srv.Stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run() = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return within 10s of Stop")
		}
	})
	return addr
}

func TestCallbackLoopEchoes(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts Options
	}{
		{"small buffer and budget", Options{ReadsPerTurn: 2, BufSize: 4096}},
		{"small buffer and budget, short reads drain", Options{ReadsPerTurn: 2, BufSize: 4096, ShortReadDrains: true}},
		{"defaults, short reads drain", Options{ShortReadDrains: true}},
	} {
		t.Run(tt.name, func(t *testing.T) { testLoop(t, tt.opts) })
	}
}

func testLoop(t *testing.T, opts Options) {
	testutil.CheckNoFDLeak(t)
	addr := startLoop(t, opts)
	dial := func(a string) (loadgen.Conn, error) { return net.DialTimeout("tcp", a, 5*time.Second) }
	testutil.Within(t, 60*time.Second, "callback loop echo", func() {
		t.Run("many clients, random payloads", func(t *testing.T) {
			p, err := loadgen.Dial(dial, addr, 100)
			if err != nil {
				t.Error(err)
				return
			}
			defer p.Close()
			if st, err := p.Round(3000, 3, 1); err != nil || st.Messages != 300 {
				t.Errorf("Round = %d messages, %v; want 300, nil", st.Messages, err)
			}
		})
		t.Run("one byte at a time, then half-close", func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			one := make([]byte, 1)
			for i := range 100 {
				c.Write([]byte{byte(i)})
				if _, err := io.ReadFull(c, one); err != nil || one[0] != byte(i) {
					t.Errorf("byte %d: %v %v", i, one, err)
					return
				}
			}
			c.Write([]byte("last"))
			c.(*net.TCPConn).CloseWrite()
			if got, err := io.ReadAll(c); string(got) != "last" || err != nil {
				t.Errorf("after half-close: %q, %v", got, err)
			}
		})
		t.Run("large payload, reader late, then half-close", func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			data := loadgen.Payload(4<<20, 2)
			go func() {
				c.Write(data)
				c.(*net.TCPConn).CloseWrite()
			}()
			time.Sleep(100 * time.Millisecond) // let the buffers fill: short writes
			got, err := io.ReadAll(c)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("got %d of %d bytes back, %v", len(got), len(data), err)
			}
		})
	})
}
