package lab

import (
	"net"
	"testing"
	"time"

	"github.com/async-from-scratch/course/04-futures/future"
	"github.com/async-from-scratch/course/05-executor/executor"
	"github.com/async-from-scratch/course/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// withConn runs body as the root task of a new executor, with st the
// server side of a loopback connection and peer its client side (a
// net.Conn, driven by the test).
func withConn[T any](t *testing.T, body func(co *future.Co, ex *executor.Executor, st *executor.Stream, peer net.Conn) T) T {
	t.Helper()
	testutil.WarmRuntime()
	testutil.CheckNoFDLeak(t)
	ex, err := executor.New(executor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := ex.Listen("127.0.0.1:0")
	if err != nil {
		ex.Close()
		t.Fatal(err)
	}
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		ex.Close()
		t.Fatal(err)
	}
	defer peer.Close()
	var v T
	testutil.Within(t, 30*time.Second, "the test's task", func() {
		v, err = executor.BlockOn(ex, future.Async(func(co *future.Co) T {
			st, err := future.Await(co, ln.Accept()).Get()
			if err != nil {
				t.Error(err)
				var zero T
				return zero
			}
			defer st.Close()
			return body(co, ex, st, peer)
		}))
		if err != nil {
			t.Errorf("BlockOn: %v", err)
		}
	})
	return v
}
