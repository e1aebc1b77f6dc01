package hss

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/hsskit/hss/internal/secret"
)

// logAttempt logs one attempt at debug level.
func (c *Client) logAttempt(ctx context.Context, cl *call, attempt, status int, reqID string, start time.Time, err error) {
	l := c.cfg.logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", cl.method),
		slog.String("path", cl.u.EscapedPath()),
		slog.String("query", redactQuery(cl.u.RawQuery)),
		slog.Int("attempt", attempt),
		slog.Duration("duration", c.cfg.clock.Now().Sub(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if reqID != "" {
		attrs = append(attrs, slog.String("request_id", reqID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", describe(err)))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "hss: request", attrs...)
}

// logWait logs a wait before an attempt at info level: every retry, and
// every wait of a second or more ("hss: throttled; waiting", wait=42s).
func (c *Client) logWait(ctx context.Context, cl *call, why string, d time.Duration, cause error) {
	l := c.cfg.logger
	if l == nil || (why != "retrying" && d < time.Second) {
		return
	}
	attrs := []slog.Attr{slog.String("method", cl.method), slog.String("path", cl.u.EscapedPath()), slog.Duration("wait", d)}
	if cause != nil {
		attrs = append(attrs, slog.String("error", describe(cause)))
	}
	l.LogAttrs(ctx, slog.LevelInfo, "hss: "+why+"; waiting", attrs...)
}

// secretWords mark query keys whose values are never logged: a key that
// contains one (any case) is secret.
var secretWords = []string{"token", "secret", "password", "passwd", "signature", "credential", "auth", "key"}

// secretParts are short words that mark a secret only as a whole part of
// the key ("sk", "x-ak", "access_ak"), not inside another word ("task").
var secretParts = []string{"ak", "sk"}

// redactQuery returns rawQuery with the value of every secret-looking key
// replaced by REDACTED; keys are compared unescaped.
func redactQuery(rawQuery string) string {
	var b strings.Builder
	for rest := rawQuery; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "&")
		k, _, hasValue := strings.Cut(part, "=")
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		key, err := url.QueryUnescape(k)
		if err != nil || isSecretKey(key) {
			b.WriteString(k)
			if hasValue || err != nil {
				b.WriteString("=" + secret.Redacted)
			}
			continue
		}
		b.WriteString(part)
	}
	return b.String()
}

func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	for _, part := range strings.FieldsFunc(k, func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
		for _, w := range secretParts {
			if part == w {
				return true
			}
		}
	}
	return false
}
