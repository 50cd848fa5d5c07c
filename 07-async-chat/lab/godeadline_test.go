package lab

// The chapter's "same hazard in ordinary Go", on net.Conn: a read deadline
// that passes in the middle of io.ReadFull.
//
//	go test -run TestGoReadDeadline -v ./07-async-chat/lab

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// goFrames reads length-prefixed frames from c with a 30 ms deadline per
// ReadFull, retrying after a timeout; keep says whether a retry carries
// over what the timed-out ReadFull had read (the fix) or drops it.
func goFrames(t *testing.T, c net.Conn, keep bool) []string {
	t.Helper()
	readFull := func(p []byte) error {
		have := 0
		for {
			c.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
			n, err := io.ReadFull(c, p[have:])
			if errors.Is(err, os.ErrDeadlineExceeded) {
				if keep {
					have += n // io.ReadFull said how much it read: keep it
				}
				continue
			}
			return err
		}
	}
	var frames []string
	for {
		var hdr [2]byte
		if readFull(hdr[:]) != nil {
			return frames
		}
		payload := make([]byte, int(hdr[0])<<8|int(hdr[1]))
		if readFull(payload) != nil {
			return frames
		}
		frames = append(frames, string(payload))
	}
}

func TestGoReadDeadlineHasTheSameHazard(t *testing.T) {
	for _, keep := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		peer, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			t.Fatal(err)
		}
		go sendWithPause(peer, 500*time.Millisecond)
		got := goFrames(t, c, keep)
		c.Close()
		peer.Close()
		intact := len(got) == len(wantFrames) && got[1] == wantFrames[1]
		switch {
		case !keep && intact:
			t.Errorf("retrying io.ReadFull after a deadline, dropping what it read, still got every frame intact: %q", got)
		case keep && !intact:
			t.Errorf("carrying over what io.ReadFull read before the deadline, got %q, want %q", got, wantFrames)
		}
	}
}
