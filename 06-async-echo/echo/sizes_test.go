package echo

import (
	"testing"
	"unsafe"
)

// TestTypeSizes pins the size docs/06-async-echo.md and docs/benchmarks.md
// quote: what an idle connection's handler holds.
func TestTypeSizes(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the chapters quote sizes on 64-bit platforms")
	}
	if got := unsafe.Sizeof(echoConn{}); got != 32 {
		t.Errorf("unsafe.Sizeof(echoConn{}) = %d, want 32 (and update the chapter)", got)
	}
}
