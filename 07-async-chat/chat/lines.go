package chat

import "bytes"

// lineSplitter cuts a byte stream into lines of at most max bytes. A longer
// line is reported once (tooLong) and the rest of it, up to its newline, is
// discarded: the connection goes on with the next line.
type lineSplitter struct {
	max        int
	partial    []byte // the start of a line whose newline has not come yet
	discarding bool   // inside a line that was too long
}

// splitResult says what next found.
type splitResult int

const (
	needMore splitResult = iota // data consumed; no complete line
	gotLine                     // line is a complete line, without "\n" or "\r\n"
	tooLong                     // a line passed max bytes
)

// next finds the next line in data and returns what follows it. line is
// valid until the next call (it may point into the splitter's buffer).
func (s *lineSplitter) next(data []byte) (line, rest []byte, r splitResult) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if s.discarding {
			if i < 0 {
				return nil, nil, needMore
			}
			s.discarding = false
			data = data[i+1:]
			continue
		}
		if i < 0 {
			// +1: room for the '\r' of a "\r\n" line of exactly max bytes.
			if len(s.partial)+len(data) > s.max+1 {
				s.partial = s.partial[:0]
				s.discarding = true
				return nil, nil, tooLong
			}
			s.partial = append(s.partial, data...)
			return nil, nil, needMore
		}
		line, rest = data[:i], data[i+1:]
		if len(s.partial) > 0 {
			s.partial = append(s.partial, line...)
			line = s.partial
			s.partial = s.partial[:0]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > s.max {
			return nil, rest, tooLong
		}
		return line, rest, gotLine
	}
	return nil, nil, needMore
}
