package testutil

import (
	"strings"
	"sync"
)

// SyncBuffer is an io.Writer that goroutines of the code under test (a
// server's logger, say) and the test itself may share: a strings.Builder
// behind a mutex. The zero value is ready to use.
type SyncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
