//go:build !race

package echo

const raceOn = false
