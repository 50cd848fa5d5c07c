package main

import (
	"fmt"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

const (
	chartWidth  = 6 * vg.Inch
	chartHeight = 3.5 * vg.Inch
)

// echoServers are the servers the throughput charts draw, in legend order:
// Go's net, the callback loop without futures, and the executor with each
// handler style. (The benchmark names the callback loop after its package,
// floor or callbackloop.)
var echoServers = []struct {
	names []string
	label string
}{
	{[]string{"net"}, "net: a goroutine per connection"},
	{[]string{"callbackloop", "floor"}, "callback loop, no futures"},
	{[]string{"machine"}, "executor, state-machine handler"},
	{[]string{"coroutine"}, "executor, coroutine handler"},
}

func echoChart(r *results, size int) *plot.Plot {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Echo throughput, %d-byte messages (median of the runs)", size)
	p.X.Label.Text = "connections"
	p.Y.Label.Text = "messages per second"
	p.X.Scale = plot.LogScale{}
	p.Y.Min = 0
	p.Y.Tick.Marker = wholeTicks{}
	// Bottom right: the lines are highest there, so the legend stays clear.
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(10)
	p.Legend.YOffs = vg.Points(10)

	var conns []int
	for c := range r.rate[size] {
		conns = append(conns, c)
	}
	slices.Sort(conns)
	var ticks []plot.Tick
	for _, c := range conns {
		ticks = append(ticks, plot.Tick{Value: float64(c), Label: strconv.Itoa(c)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	if len(conns) > 0 {
		p.X.Min, p.X.Max = float64(conns[0])/1.5, float64(conns[len(conns)-1])*1.5
	}

	var lines []any
	for _, s := range echoServers {
		var xys plotter.XYs
		for _, c := range conns {
			for _, name := range s.names {
				if v := r.rate[size][c][name]; len(v) > 0 {
					xys = append(xys, plotter.XY{X: float64(c), Y: median(v)})
					break
				}
			}
		}
		if len(xys) > 0 {
			lines = append(lines, s.label, xys)
		}
	}
	if err := plotutil.AddLinePoints(p, lines...); err != nil {
		panic(err) // only for arguments of the wrong type, which the loop above cannot make
	}
	return p
}

// idleServers are the bars of the idle-memory chart, in order.
var idleServers = []struct {
	names []string
	label string
}{
	{[]string{"net"}, "net"},
	{[]string{"coroutine"}, "executor,\ncoroutine"},
	{[]string{"machine"}, "executor,\nstate machine"},
	{[]string{"callbackloop", "floor"}, "callback\nloop"},
}

func idleChart(r *results) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Resident memory per idle connection (10,000 connections)"
	p.Y.Label.Text = "bytes per connection"
	p.Y.Tick.Marker = wholeTicks{}
	var values plotter.Values
	var labels []string
	for _, s := range idleServers {
		for _, name := range s.names {
			if v, ok := r.idle[name]; ok {
				values = append(values, v)
				labels = append(labels, s.label)
				break
			}
		}
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("the idle-memory results name none of the servers charted")
	}
	bars, err := plotter.NewBarChart(values, vg.Points(40))
	if err != nil {
		return nil, err
	}
	bars.Color = plotutil.Color(0)
	p.Add(bars)
	p.NominalX(labels...)
	for i, v := range values {
		l, err := plotter.NewLabels(plotter.XYLabels{
			XYs:    []plotter.XY{{X: float64(i), Y: v}},
			Labels: []string{fmt.Sprintf("%.0f B", v)},
		})
		if err != nil {
			return nil, err
		}
		l.Offset.X = -vg.Points(12)
		l.Offset.Y = vg.Points(3)
		p.Add(l)
	}
	return p, nil
}

// wholeTicks are gonum's default ticks, labelled without decimals.
type wholeTicks struct{}

func (wholeTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', 0, 64)
		}
	}
	return ticks
}
