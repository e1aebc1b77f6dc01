package main

import (
	"context"
	"log/slog"
	"strings"
)

// newLogger returns the logger the SDK is given: --debug gets the SDK's
// own records as slog text at debug level (the SDK redacts secrets);
// otherwise only its warnings show, one readable line each (what the SDK
// does is shown by lineObserver).
func newLogger(con *console, debug bool) *slog.Logger {
	if debug {
		return slog.New(slog.NewTextHandler(&escapingWriter{con: con}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(&warningHandler{con: con})
}

// escapingWriter passes slog's text records to the console, escaping
// unsafe characters of each line.
type escapingWriter struct{ con *console }

func (w *escapingWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimSuffix(string(p), "\n"), "\n") {
		w.con.println(line)
	}
	return len(p), nil
}

// warningHandler is an slog.Handler that prints the SDK's warnings as
// short lines for people, and nothing else:
//
//	hss: warning: credentials: the credentials file may be read by other users; chmod 600 it (path=...)
type warningHandler struct {
	con   *console
	attrs []slog.Attr
}

// Enabled lets warnings and errors through.
func (h *warningHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

// Handle prints one record on one line, its attributes in parentheses.
func (h *warningHandler) Handle(_ context.Context, r slog.Record) error {
	var attrs []string
	add := func(a slog.Attr) bool {
		attrs = append(attrs, a.Key+"="+a.Value.Resolve().String())
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	line := "hss: warning: " + strings.TrimPrefix(r.Message, "hss: ")
	if len(attrs) > 0 {
		line += " (" + strings.Join(attrs, ", ") + ")"
	}
	h.con.println(roundDurations(line))
	return nil
}

// WithAttrs returns a handler that adds attrs to every record.
func (h *warningHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	cp := *h
	cp.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &cp
}

// WithGroup is ignored: the SDK logs flat records.
func (h *warningHandler) WithGroup(string) slog.Handler { return h }
