package hss

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/hsskit/hss/internal/secret"
)

// newObserver is the Observer a Client reports to: the log (WithLogger's
// logObserver) first, then the user's own in the order given, or nil when
// there is none.
func newObserver(log Observer, user []Observer) Observer {
	if log != nil {
		user = append([]Observer{log}, user...)
	}
	switch len(user) {
	case 0:
		return nil
	case 1:
		return user[0]
	}
	return observers(user)
}

// logObserver is WithLogger's log: every attempt at debug level, and every
// retry and every wait of a second or more at info level.
type logObserver struct{ l *slog.Logger }

// CallStart logs nothing.
func (logObserver) CallStart(ctx context.Context, _ CallInfo) context.Context { return ctx }

// AttemptStart logs nothing.
func (logObserver) AttemptStart(ctx context.Context, _ CallInfo, _ int) context.Context { return ctx }

// AttemptEnd logs the attempt at debug level: "hss: request" with its
// method, path, redacted query, attempt, duration, status, request id and
// error.
func (o logObserver) AttemptEnd(ctx context.Context, call CallInfo, a AttemptOutcome) {
	if !o.l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", call.Method),
		slog.String("path", call.Path),
		slog.String("query", call.Query),
		slog.Int("attempt", a.Attempt),
		slog.String("duration", roundDuration(a.Duration).String()),
	}
	if a.StatusCode != 0 {
		attrs = append(attrs, slog.Int("status", a.StatusCode))
	}
	if a.Err != nil {
		attrs = append(attrs, slog.String("error", describe(a.Err))) // it names the request id
	} else if a.RequestID != "" {
		attrs = append(attrs, slog.String("request_id", a.RequestID))
	}
	o.l.LogAttrs(ctx, slog.LevelDebug, "hss: request", attrs...)
}

// waitMessage is the log message of a wait for r.
func waitMessage(r WaitReason) string {
	switch r {
	case WaitBackoff:
		return "hss: retrying; waiting"
	case WaitQuota:
		return "hss: throttled; waiting"
	case WaitRateLimit:
		return "hss: paced by WithRateLimit; waiting"
	}
	return "hss: waiting"
}

// Wait logs every backoff, and every other wait of a second or more, at
// info level ("hss: throttled; waiting", wait=42s).
func (o logObserver) Wait(ctx context.Context, call CallInfo, w WaitInfo) {
	if (w.Reason != WaitBackoff && w.Duration < time.Second) || !o.l.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := []slog.Attr{slog.String("method", call.Method), slog.String("path", call.Path),
		slog.String("wait", roundDuration(w.Duration).String())}
	if w.Cause != nil {
		attrs = append(attrs, slog.String("error", describe(w.Cause)))
	}
	o.l.LogAttrs(ctx, slog.LevelInfo, waitMessage(w.Reason), attrs...)
}

// CallEnd logs nothing: the last attempt said it.
func (logObserver) CallEnd(context.Context, CallInfo, CallOutcome) {}

// roundDuration rounds a duration for people: to the millisecond from a
// millisecond up, so that a wait reads "1m0s", not "59.999998504s".
func roundDuration(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d
	}
	return d.Round(time.Millisecond)
}

// secretWords mark query keys whose values are never logged: a key that
// contains one (any case) is secret.
var secretWords = []string{"token", "secret", "password", "passwd", "passphrase", "signature", "credential", "auth", "key", "session", "cookie"}

// secretParts are short words that mark a secret only as a whole part of
// the key ("sk", "x-ak", "access_ak", "sig", "pwd"), not inside another word
// ("task", "design").
var secretParts = []string{"ak", "sk", "sig", "pwd", "pw", "pass", "sas", "otp", "pin", "jwt", "sid"}

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
