package main

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Three -count runs of one case, and an idle-memory result, as go test prints them.
const sample = `goos: linux
pkg: github.com/async-from-scratch/course/06-async-echo
BenchmarkEcho/size=64/conns=50-2   	 7	 523027142 ns/op	 100 net-msgs/s	 9.5 net-p50-µs	 300 floor-msgs/s	 200 machine-msgs/s
BenchmarkEcho/size=64/conns=50-2   	 7	 523027142 ns/op	 120 net-msgs/s	 9.5 net-p50-µs	 100 floor-msgs/s	 210 machine-msgs/s
BenchmarkEcho/size=64/conns=50-2   	 7	 523027142 ns/op	 500 net-msgs/s	 9.5 net-p50-µs	 200 floor-msgs/s	 190 machine-msgs/s
BenchmarkIdleMemory/machine-2-2   	 1	 1783 ns/op	 453.0 B/conn	 11.21 MiB-rss
BenchmarkIdleMemory/machine-2     	 1	 1032 ns/op	 451.4 B/conn	 11.09 MiB-rss
PASS
`

// sample08 is stage 08's benchmark output: the same benchmark names, other
// servers, and system calls per message.
const sample08 = `pkg: github.com/async-from-scratch/course/08-io-uring
BenchmarkEcho/size=64/conns=1-2    	 4	 632087064 ns/op	 4.5 net-syscalls/msg	 40396 net-msgs/s	 38990 uring-1-msgs/s	 2.1 uring-1-syscalls/msg	 41611 uring-msgs/s	 2.09 uring-syscalls/msg	 1.03 uring/net
BenchmarkEcho/size=64/conns=500-2  	 2	 1356810048 ns/op	 3.06 net-syscalls/msg	 22985 net-msgs/s	 16654 uring-1-msgs/s	 0.117 uring-1-syscalls/msg	 25376 uring-msgs/s	 0.119 uring-syscalls/msg	 1.1 uring/net
BenchmarkIdleMemory/uring-2        	 1	 3.139 ns/op	 383.4 B/conn
PASS
`

func TestParseTakesTheMedianOfTheRuns(t *testing.T) {
	st := stages{}
	if err := st.parse(strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	r := st[stage06]
	if r == nil {
		t.Fatalf("parse filed the results under %v, want %s", slices.Collect(maps.Keys(st)), stage06)
	}
	for server, want := range map[string]float64{"net": 120, "floor": 200, "machine": 200} {
		if got := median(r.rate[64][50][server]); got != want {
			t.Errorf("median(%s msgs/s) = %v, want %v (values %v)", server, got, want, r.rate[64][50][server])
		}
	}
	if got := r.idle["machine"]; got != 451.4 {
		t.Errorf("idle[machine] = %v, want 451.4 (machine-2-2 is machine-2 on GOMAXPROCS 2)", got)
	}
	if got := r.idle["machine-2"]; got != 453.0 {
		t.Errorf("idle[machine-2] = %v, want 453", got)
	}
}

// TestParseKeepsTheStagesApart: stage 08's results, which use the same
// benchmark names, are filed under stage 08 and never reach stage 06's
// charts and tables; a result with no pkg: line above it is an error.
func TestParseKeepsTheStagesApart(t *testing.T) {
	st := stages{}
	if err := st.parse(strings.NewReader(sample + sample08)); err != nil {
		t.Fatal(err)
	}
	if got := st[stage06].rate[64][50]["net"]; len(got) != 3 {
		t.Errorf("stage 06 net msgs/s at 50 connections = %v, want its three runs only", got)
	}
	if got := st[stage06].rate[64][500]; got != nil {
		t.Errorf("stage 06 has results at 500 connections (%v), which only stage 08's output has", got)
	}
	if got := st[stage08].echo[echoKey{64, 500, "uring", "syscalls/msg"}]; len(got) != 1 || got[0] != 0.119 {
		t.Errorf("stage 08 uring syscalls/msg at 500 connections = %v, want [0.119]", got)
	}
	if _, ok := st[stage06].idle["uring"]; ok {
		t.Errorf("stage 06's idle memory has stage 08's uring server")
	}
	err := stages{}.parse(strings.NewReader("BenchmarkEcho/size=64/conns=1-2 1 2 ns/op 3 net-msgs/s\n"))
	if err == nil || !strings.Contains(err.Error(), "pkg:") {
		t.Errorf("parse(a result without pkg:) = %v, want an error naming the missing pkg: line", err)
	}
}

func TestRunWritesTheCharts(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"-out", dir}, strings.NewReader(sample+sample08), &out); err != nil {
		t.Fatal(err)
	}
	for name, label := range map[string]string{
		"bench-echo-64.svg": "messages per second",
		"bench-idle.svg":    "bytes per connection",
		"bench-08-echo.svg": "system calls per message",
	} {
		svg, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte(label)) {
			t.Errorf("%s is not an SVG with the axis label %q (%d bytes)", name, label, len(svg))
		}
	}
}

func TestRunRefusesInputWithoutResults(t *testing.T) {
	err := run([]string{"-out", t.TempDir()}, strings.NewReader("PASS\nok\n"), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "no BenchmarkEcho") {
		t.Errorf("run(no results) = %v, want an error naming what is missing", err)
	}
}

// TestDocsAreFresh keeps docs/benchmarks.md and its charts in step with the
// benchmark output they are drawn from, docs/bench/*.txt.
func TestDocsAreFresh(t *testing.T) {
	docs := filepath.Join("..", "..", "..", "docs")
	inputs, err := filepath.Glob(filepath.Join(docs, "bench", "*.txt"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no benchmark output in %s/bench: %v", docs, err)
	}
	dir := t.TempDir()
	md, err := os.ReadFile(filepath.Join(docs, "benchmarks.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "benchmarks.md"), md, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-out", dir, "-md", filepath.Join(dir, "benchmarks.md")}, inputs...)
	if err := run(args, nil, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	const refresh = "go run ./internal/cmd/benchchart -out docs -md docs/benchmarks.md docs/bench/*.txt"
	for _, name := range []string{"benchmarks.md", "bench-echo-64.svg", "bench-echo-4096.svg", "bench-idle.svg", "bench-08-echo.svg"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(docs, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("docs/%s does not match docs/bench/*.txt; run: %s", name, refresh)
		}
	}
}

// TestReplaceTablesNeedsTheMarkers: a file without them is an error, not a
// silent no-op.
func TestReplaceTablesNeedsTheMarkers(t *testing.T) {
	if _, err := replaceTables("# no markers\n", "| a |"); err == nil {
		t.Error("replaceTables(no markers) = nil error")
	}
	got, err := replaceTables("x\n"+beginTables+"\nold\n"+endTables+"\n", "new")
	if err != nil || !strings.Contains(got, "\nnew\n") || strings.Contains(got, "old") {
		t.Errorf("replaceTables = %q, %v; want old replaced by new", got, err)
	}
}
