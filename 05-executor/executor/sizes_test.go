package executor

import (
	"testing"
	"unsafe"

	"github.com/async-from-scratch/course/02-mio-like-poll/tcp"
)

// TestTypeSizes pins the sizes chapter 05 and docs/benchmarks.md quote for
// what an idle connection holds. A change here is a change to the chapter.
func TestTypeSizes(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the chapters quote sizes on 64-bit platforms")
	}
	for _, tc := range []struct {
		name      string
		got, want uintptr
	}{
		{"executor.Stream", unsafe.Sizeof(Stream{}), 96},
		{"tcp.Stream", unsafe.Sizeof(tcp.Stream{}), 72},
		{"JoinHandle[struct{}]", unsafe.Sizeof(JoinHandle[struct{}]{}), 120},
		{"JoinHandle[error]", unsafe.Sizeof(JoinHandle[error]{}), 136},
		{"detachedTask", unsafe.Sizeof(detachedTask{}), 80},
		{"echoConn (statemachine_test.go)", unsafe.Sizeof(echoMachine{}), 48},
	} {
		if tc.got != tc.want {
			t.Errorf("unsafe.Sizeof(%s) = %d, want %d (and update docs/05-executor.md)", tc.name, tc.got, tc.want)
		}
	}
}
