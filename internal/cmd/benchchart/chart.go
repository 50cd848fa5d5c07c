package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

const (
	chartWidth  = 6 * vg.Inch
	chartHeight = 3.5 * vg.Inch
)

// server is one line of a chart: the names a benchmark may give the server
// (the callback loop was once called floor), and its legend.
type server struct {
	names []string
	label string
}

// echoServers are the servers the throughput charts draw, in legend order:
// Go's net, the callback loop without futures, and the executor with each
// handler style.
var echoServers = []server{
	{[]string{"net"}, "net: a goroutine per connection"},
	{[]string{"callbackloop", "floor"}, "callback loop, no futures"},
	{[]string{"machine"}, "executor, state-machine handler"},
	{[]string{"coroutine"}, "executor, coroutine handler"},
}

func echoChart(r *results, size int) *plot.Plot {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Echo throughput, %d-byte messages (median of the runs)", size)
	p.Y.Label.Text = "messages per second"
	p.Y.Tick.Marker = wholeTicks{}
	// Bottom right: the lines are highest there, so the legend stays clear.
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(10)
	p.Legend.YOffs = vg.Points(10)
	addByConns(p, r, size, "msgs/s", echoServers)
	return p
}

// addByConns draws metric (the median of the runs) against the connection
// count, on a log scale, one line per server found in r.
func addByConns(p *plot.Plot, r *results, size int, metric string, servers []server) {
	p.X.Label.Text = "connections"
	p.X.Scale = plot.LogScale{}
	p.Y.Min = 0
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
	for _, s := range servers {
		var xys plotter.XYs
		for _, c := range conns {
			for _, name := range s.names {
				if v := r.echo[echoKey{size, c, name, metric}]; len(v) > 0 {
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
}

// uringServers are the lines of stage 08's chart, in legend order: the
// readiness servers of stage 06, then the io_uring server in both forms.
var uringServers = []server{
	{[]string{"net"}, "net: a goroutine per connection"},
	{[]string{"callbackloop", "floor"}, "06 callback loop"},
	{[]string{"callbackloop-sr", "floor-sr"}, "06 callback loop, short reads drain"},
	{[]string{"machine"}, "06 executor, state-machine handler"},
	{[]string{"uring-1"}, "io_uring, one-shot recv"},
	{[]string{"uring"}, "io_uring, multishot recv"},
}

// uringCharts are stage 08's two panels: messages per second, and system
// calls per message, by connection count (64-byte messages, the size the
// benchmark runs).
func uringCharts(r *results) []*plot.Plot {
	sizes := r.sizes()
	size := sizes[0]
	rate := plot.New()
	rate.Title.Text = fmt.Sprintf("Echo, %d-byte messages, one run: messages per second", size)
	rate.Y.Label.Text = "messages per second"
	rate.Y.Tick.Marker = wholeTicks{}
	addByConns(rate, r, size, "msgs/s", uringServers)
	rate.Legend.Top = true
	rate.Legend.Left = false
	rate.Legend.XOffs = -vg.Points(5)
	rate.Y.Max *= 1.7 // room above the lines for the legend

	calls := plot.New()
	calls.Title.Text = "System calls per echoed message (every sys_enter of the server)"
	calls.Y.Label.Text = "system calls per message"
	addByConns(calls, r, size, "syscalls/msg", uringServers)
	calls.Legend = plot.NewLegend() // one legend, in the panel above
	return []*plot.Plot{rate, calls}
}

// saveStacked draws plots one above the other on one canvas and writes it to
// name, as SVG or PNG by the name's extension.
func saveStacked(plots []*plot.Plot, w, h vg.Length, name string) error {
	var canvas vg.CanvasWriterTo
	switch filepath.Ext(name) {
	case ".svg":
		canvas = vgsvg.New(w, h)
	case ".png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
	default:
		return fmt.Errorf("%s: want .svg or .png", name)
	}
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Points(12)}
	var grid [][]*plot.Plot
	for _, p := range plots {
		grid = append(grid, []*plot.Plot{p})
	}
	dc := draw.New(canvas)
	for i, row := range plot.Align(grid, tiles, dc) {
		grid[i][0].Draw(row[0])
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := canvas.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
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
