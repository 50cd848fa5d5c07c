package loadgen_test

import (
	"fmt"
	"time"

	"github.com/async-from-scratch/course/06-async-echo/loadgen"
)

func ExampleStats_Percentile() {
	s := loadgen.Stats{Messages: 4, Elapsed: time.Second, Latencies: []time.Duration{4, 1, 3, 2}}
	fmt.Println(s.PerSecond(), s.Percentile(0.5), s.Percentile(0.99))
	// Output:
	// 4 2ns 4ns
}
