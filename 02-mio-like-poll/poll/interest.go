package poll

import "strings"

// Interest says which readiness a source is registered for. Combine the
// values with |.
type Interest uint8

const (
	// Readable: data (or a connection, or end of file) waits to be read.
	Readable Interest = 1 << iota
	// Writable: the send buffer has room, or a connect finished.
	Writable
)

// String returns "readable", "writable", "readable|writable" or "none".
func (i Interest) String() string {
	var parts []string
	if i&Readable != 0 {
		parts = append(parts, "readable")
	}
	if i&Writable != 0 {
		parts = append(parts, "writable")
	}
	if i&^(Readable|Writable) != 0 {
		parts = append(parts, "unknown")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "|")
}
