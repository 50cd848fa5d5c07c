package driver_test

import (
	"fmt"

	"github.com/async-from-scratch/course/04-futures/driver"
	"github.com/async-from-scratch/course/04-futures/future"
)

func ExampleBlockOn() {
	v, err := driver.BlockOn(future.Ready(42))
	fmt.Println(v, err)
	// Output: 42 <nil>
}
