package executor

import (
	"io"
	"io/fs"
	"log/slog"
	"strings"
)

var errNotExist = fs.ErrNotExist

func debugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
