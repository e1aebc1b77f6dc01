package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// console is the command's stderr: one-line messages and, on a terminal,
// a status line (progress) that each message clears first and that is
// drawn again after it. It is safe for concurrent use, as the SDK may log
// from any goroutine.
type console struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	status   string // the status line on screen, "" when none
}

// println writes one line of text (escaped) to stderr.
func (c *console) println(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.erase()
	fmt.Fprintln(c.w, escapeText(s, spaceForBreaks))
	c.draw()
}

// setStatus shows s as the status line, on a terminal only.
func (c *console) setStatus(s string) {
	if !c.terminal {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status = escapeText(s, spaceForBreaks)
	c.draw()
}

// clearStatus removes the status line, so the shell prompt starts clean.
func (c *console) clearStatus() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.erase()
	c.status = ""
}

// erase clears the terminal line; c.mu is held.
func (c *console) erase() {
	if c.status != "" {
		fmt.Fprint(c.w, "\r\033[K")
	}
}

// draw writes the status line; c.mu is held.
func (c *console) draw() {
	if c.status != "" {
		fmt.Fprint(c.w, "\r\033[K"+c.status)
	}
}

// logMode says what the SDK's log shows on stderr.
type logMode int

const (
	logQuiet   logMode = iota // warnings only
	logWaits                  // and waits of a second or more (stderr is a terminal)
	logVerbose                // and every retry, wait and request, with request ids (--verbose)
)

// newLogger returns the logger the SDK is given: --debug gets the SDK's
// own records as slog text at debug level (the SDK redacts secrets); any
// other mode gets readable one-line messages through the console.
func newLogger(con *console, mode logMode, debug bool) *slog.Logger {
	if debug {
		return slog.New(slog.NewTextHandler(&escapingWriter{con: con}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(&lineHandler{con: con, mode: mode})
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

// lineHandler is an slog.Handler that prints the SDK's records as short
// lines for people:
//
//	hss: throttled; waiting 12s (GET /v5/.../registries: 429 APIGW.0308: ...)
//	hss: retrying; waiting 250ms (GET /v5/.../registries: 503 ...)
//	hss: GET /v5/.../registries?limit=200: 200 (attempt 1, 31ms, request id 0a1b...)
//	hss: warning: credentials: the credentials file may be read by other users; chmod 600 it (path=...)
type lineHandler struct {
	con   *console
	mode  logMode
	attrs []slog.Attr
}

// Enabled lets warnings through always, info (retries and waits) unless
// quiet, and debug (each request) only with --verbose.
func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool {
	switch {
	case l >= slog.LevelWarn:
		return true
	case l >= slog.LevelInfo:
		return h.mode >= logWaits
	}
	return h.mode >= logVerbose
}

// Handle prints one record on one line.
func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	attrs := make(map[string]slog.Value, r.NumAttrs()+len(h.attrs))
	var order []string
	add := func(a slog.Attr) bool {
		if _, seen := attrs[a.Key]; !seen {
			order = append(order, a.Key)
		}
		attrs[a.Key] = a.Value.Resolve()
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	str := func(k string) string {
		v, ok := attrs[k]
		if !ok {
			return ""
		}
		delete(attrs, k)
		return v.String()
	}

	var b strings.Builder
	switch {
	case r.Message == "hss: request":
		// hss: GET /path?query: 200 (attempt 1, 31ms, request id ...)
		b.WriteString("hss: " + str("method") + " " + str("path"))
		if q := str("query"); q != "" {
			b.WriteString("?" + q)
		}
		status, failure := str("status"), str("error")
		if failure != "" {
			status = failure // it starts with the status, when there is one
		}
		b.WriteString(": " + status + " (attempt " + str("attempt") + ", " + str("duration"))
		if id := str("request_id"); id != "" {
			b.WriteString(", request id " + id)
		}
		b.WriteString(")")
	case strings.HasSuffix(r.Message, "; waiting"):
		wait := attrs["wait"]
		if d, err := time.ParseDuration(wait.String()); h.mode < logVerbose && err == nil && d < time.Second {
			return nil // short retry waits are for --verbose
		}
		b.WriteString(goNames.Replace(r.Message) + " " + str("wait") + " (" + str("method") + " " + str("path"))
		if e := str("error"); e != "" {
			b.WriteString(": " + e)
		}
		b.WriteString(")")
	default:
		msg := r.Message
		if r.Level >= slog.LevelWarn {
			msg = "hss: warning: " + strings.TrimPrefix(msg, "hss: ")
		}
		b.WriteString(msg)
	}
	var rest []string
	for _, k := range order {
		if v, ok := attrs[k]; ok {
			rest = append(rest, k+"="+v.String())
		}
	}
	if len(rest) > 0 {
		b.WriteString(" (" + strings.Join(rest, ", ") + ")")
	}
	h.con.println(b.String())
	return nil
}

// WithAttrs returns a handler that adds attrs to every record.
func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	cp := *h
	cp.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &cp
}

// WithGroup is ignored: the SDK logs flat records.
func (h *lineHandler) WithGroup(string) slog.Handler { return h }
