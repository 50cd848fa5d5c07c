package main

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The stages whose benchmarks are drawn, by the last element of the package
// path that go test prints ("pkg: .../06-async-echo") above their results.
// Both name their benchmarks BenchmarkEcho and BenchmarkIdleMemory.
const (
	stage06 = "06-async-echo"
	stage08 = "08-io-uring"
)

// stages holds the results of each stage's benchmarks, by stage.
type stages map[string]*results

// parse reads go test -bench output and files each result under the stage
// of the pkg: line above it: one input may hold several packages' output.
func (st stages) parse(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	stage := ""
	for sc.Scan() {
		line := sc.Text()
		if pkg, ok := strings.CutPrefix(line, "pkg: "); ok {
			stage = path.Base(strings.TrimSpace(pkg))
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		if stage == "" {
			return fmt.Errorf("a result before any pkg: line (is this go test -bench output?): %.60s", line)
		}
		if st[stage] == nil {
			st[stage] = newResults()
		}
		st[stage].parseLine(line)
	}
	return sc.Err()
}

// results holds what the charts need from the benchmark output.
type results struct {
	// rate[size][conns][server] is every messages/s value reported, one per -count run.
	rate map[int]map[int]map[string][]float64
	// echo holds every per-server metric of BenchmarkEcho, one value per -count run.
	echo map[echoKey][]float64
	// idle[server] is the resident memory per idle connection, in bytes;
	// idleMetrics[server][unit] every metric of BenchmarkIdleMemory.
	idle        map[string]float64
	idleMetrics map[string]map[string]float64
}

// echoKey names one metric of one server under one load.
type echoKey struct {
	size, conns    int
	server, metric string
}

// echoMetrics are the per-server units BenchmarkEcho reports, as
// "<server>-<metric>"; longer first, since one ends another.
var echoMetrics = []string{"client-cpu-µs/msg", "cpu-µs/msg", "sys-µs/msg", "msgs/s", "p50-µs", "p99-µs", "reads/msg", "writes/msg", "ctxsw/msg", "syscalls/msg"}

func newResults() *results {
	return &results{
		rate:        map[int]map[int]map[string][]float64{},
		echo:        map[echoKey][]float64{},
		idle:        map[string]float64{},
		idleMetrics: map[string]map[string]float64{},
	}
}

var (
	echoName = regexp.MustCompile(`^BenchmarkEcho/size=(\d+)/conns=(\d+)(-\d+)?$`)
	idleName = regexp.MustCompile(`^BenchmarkIdleMemory/(.+?)(-\d+)?$`)
)

// parseLine reads one result line of go test -bench output: the benchmark's
// name, its iteration count, then value-unit pairs ("27463 net-msgs/s").
func (r *results) parseLine(line string) {
	f := strings.Fields(line)
	if len(f) < 4 {
		return
	}
	metrics := map[string]float64{}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			continue
		}
		metrics[f[i+1]] = v
	}
	if m := echoName.FindStringSubmatch(f[0]); m != nil {
		size, _ := strconv.Atoi(m[1])
		conns, _ := strconv.Atoi(m[2])
		r.addEcho(size, conns, metrics)
	} else if m := idleName.FindStringSubmatch(f[0]); m != nil {
		if v, ok := metrics["B/conn"]; ok {
			r.idle[m[1]] = v
		}
		r.idleMetrics[m[1]] = metrics
	}
}

// addEcho files one BenchmarkEcho result's per-server metrics.
func (r *results) addEcho(size, conns int, metrics map[string]float64) {
	for unit, v := range metrics {
		for _, metric := range echoMetrics {
			if server, ok := strings.CutSuffix(unit, "-"+metric); ok {
				k := echoKey{size, conns, server, metric}
				r.echo[k] = append(r.echo[k], v)
				break
			}
		}
		server, ok := strings.CutSuffix(unit, "-msgs/s")
		if !ok {
			continue
		}
		if r.rate[size] == nil {
			r.rate[size] = map[int]map[string][]float64{}
		}
		if r.rate[size][conns] == nil {
			r.rate[size][conns] = map[string][]float64{}
		}
		r.rate[size][conns][server] = append(r.rate[size][conns][server], v)
	}
}

func (r *results) empty() bool { return len(r.rate) == 0 && len(r.idle) == 0 }

func (r *results) sizes() []int {
	var s []int
	for size := range r.rate {
		s = append(s, size)
	}
	slices.Sort(s)
	return s
}

// median is the middle of the -count runs: one slow run on a shared machine
// does not move it.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
