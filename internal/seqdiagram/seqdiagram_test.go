package seqdiagram

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A short excerpt of a real run of go run ./05-executor tcp, with its
// timestamps: descriptors become A and B in order of appearance, the
// listener's registration comes from outside any task, and the rest from
// the task being polled.
const tcpLog = `time=2026-11-30T05:05:46.390Z level=DEBUG msg=register fd=9 token=0/1
time=2026-11-30T05:05:46.390Z level=DEBUG msg="task spawned" task=1
time=2026-11-30T05:05:46.390Z level=DEBUG msg=wake task=1 via=inbox set=false
server: accepted a connection
time=2026-11-30T05:05:46.390Z level=DEBUG msg="poll task" task=1
time=2026-11-30T05:05:46.390Z level=DEBUG msg=register fd=12 token=1/1
time=2026-11-30T05:05:46.390Z level=DEBUG msg="task idle" task=1
time=2026-11-30T05:05:46.391Z level=DEBUG msg=poll timeout=19.98ms events=1
time=2026-11-30T05:05:46.391Z level=DEBUG msg=event fd=12 token=1/1 readable=true writable=true error=false readclosed=false writeclosed=false
time=2026-11-30T05:05:46.391Z level=DEBUG msg=wake task=1
time=2026-11-30T05:05:46.391Z level=DEBUG msg=wake task=2 via=inbox set=true
time=2026-11-30T05:05:46.391Z level=DEBUG msg="poll task" task=1
time=2026-11-30T05:05:46.391Z level=DEBUG msg="task done" task=1
`

func TestConvert(t *testing.T) {
	got, err := Convert(strings.NewReader(tcpLog), Window{})
	if err != nil {
		t.Fatal(err)
	}
	want := `sequenceDiagram
  participant T1 as task 1
  participant E as executor
  participant R as reactor
  participant OS as OS
  participant G as other goroutine
  E->>R: register fd A
  R->>OS: epoll_ctl ADD fd A (edge, read+write)
  E->>E: Spawn task 1
  E->>T1: poll
  T1->>R: register fd B
  R->>OS: epoll_ctl ADD fd B (edge, read+write)
  T1-->>E: Pending
  R->>OS: epoll_wait(timeout next timer)
  OS-->>R: fd B readable+writable
  R->>E: wake task 1 (run queue)
  G->>E: wake task 2 (inbox)
  G->>OS: eventfd write (Set: the loop sleeps)
  E->>T1: poll
  T1-->>E: Ready
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Convert (-want +got):\n%s", diff)
	}
}

func TestWindow(t *testing.T) {
	got, err := Convert(strings.NewReader(tcpLog), Window{From: `msg="poll task"`, To: `msg="task idle"`, Drop: `msg=register`})
	if err != nil {
		t.Fatal(err)
	}
	want := `sequenceDiagram
  participant T1 as task 1
  participant E as executor
  E->>T1: poll
  T1-->>E: Pending
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Convert with a window (-want +got):\n%s", diff)
	}
	if _, err := Convert(strings.NewReader("no log here\n"), Window{}); err == nil {
		t.Error("Convert of a text without log records: no error")
	}
	if _, err := Convert(strings.NewReader(tcpLog), Window{From: "("}); err == nil {
		t.Error("Convert with a bad regexp: no error")
	}
}

// Stage 03's loop logs one record per event with its poll's number: a new
// number is a new epoll_wait.
func TestConvertStage03(t *testing.T) {
	log := `level=DEBUG msg=event poll=1 event="token 1: readable" source=listener
level=DEBUG msg=event poll=1 event="token 3: writable" source="client connection"
level=DEBUG msg="running callbacks from the worker" n=2
level=DEBUG msg=event poll=2 event="token 0: readable" source="user event (file I/O done)"
`
	got, err := Convert(strings.NewReader(log), Window{})
	if err != nil {
		t.Fatal(err)
	}
	want := `sequenceDiagram
  participant E as executor
  participant OS as OS
  E->>OS: epoll_wait
  OS-->>E: listener: readable
  OS-->>E: client connection: writable
  E->>E: run the worker's callbacks
  E->>OS: epoll_wait
  OS-->>E: user event (file I/O done): readable
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Convert (-want +got):\n%s", diff)
	}
}
