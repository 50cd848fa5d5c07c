//go:build race

package echo

// raceOn scales the tests down: the race detector makes everything 5-20x slower.
const raceOn = true
