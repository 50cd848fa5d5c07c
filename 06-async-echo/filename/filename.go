package filename

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// MaxLen is the longest name Parse accepts, in bytes. A client that sends a
// longer line gets ErrRefused without the server buffering the rest.
const MaxLen = 1024

// ErrRefused is wrapped by every error of Parse and by Open's errors for names
// that would leave the root: errors.Is(err, ErrRefused).
var ErrRefused = errors.New("name refused")

// ErrNotFound is wrapped by Open when the name is fine but no regular file is
// there.
var ErrNotFound = errors.New("no such file")

// Parse turns one line from a client into a clean, slash-separated name
// relative to the root. The line may end with "\n" or "\r\n" (what nc and
// telnet send); the line end is not part of the name.
func Parse(line []byte) (string, error) {
	s := string(line)
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	switch {
	case s == "":
		return "", fmt.Errorf("%w: empty name", ErrRefused)
	case len(s) > MaxLen:
		return "", fmt.Errorf("%w: name longer than %d bytes", ErrRefused, MaxLen)
	case !utf8.ValidString(s):
		return "", fmt.Errorf("%w: name is not UTF-8", ErrRefused)
	}
	for _, r := range s {
		// Control bytes (NUL, a stray "\r" or "\n" inside the line, escape
		// sequences) are never part of a name we serve, and NUL would be cut
		// by the kernel's C strings anyway.
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("%w: control byte %#x in name", ErrRefused, r)
		}
	}
	if strings.HasPrefix(s, "/") {
		return "", fmt.Errorf("%w: absolute path", ErrRefused)
	}
	for elem := range strings.SplitSeq(s, "/") {
		if elem == ".." {
			return "", fmt.Errorf("%w: \"..\" leaves the root", ErrRefused)
		}
	}
	// filepath.IsLocal also rejects names that are reserved on other systems
	// and checks the cleaned form; after the checks above it is a second
	// opinion, not the only one.
	name := filepath.Clean(s)
	if !filepath.IsLocal(name) || name == "." {
		return "", fmt.Errorf("%w: not a name inside the root", ErrRefused)
	}
	return filepath.ToSlash(name), nil
}

// Open opens name (a result of Parse) for reading inside root and checks that
// it is a regular file. Names that os.Root refuses (a symlink that leaves the
// root) wrap ErrRefused; missing files, directories and other non-regular
// files wrap ErrNotFound. The caller closes the file.
func Open(root *os.Root, name string) (*os.File, error) {
	f, err := root.Open(name)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
		case isEscape(err):
			return nil, fmt.Errorf("%w: %s leaves the root", ErrRefused, name)
		default:
			return nil, fmt.Errorf("%w: %s: %v", ErrNotFound, name, unwrapPath(err))
		}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrNotFound, name, unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrNotFound, name)
	}
	return f, nil
}

// isEscape reports whether os.Root refused a path because it leaves the root.
// os.Root reports that as a *PathError whose message says "path escapes from
// parent"; there is no exported sentinel for it in Go 1.26.
func isEscape(err error) bool {
	return strings.Contains(err.Error(), "escapes")
}

// unwrapPath drops the *PathError wrapper so that error lines sent to a
// client name the file as the client wrote it, not the server's full path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
