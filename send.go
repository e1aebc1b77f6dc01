package hss

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// outcome is what one attempt produced.
type outcome struct {
	err        error
	retryable  bool          // the same request may succeed if sent again
	retryAfter time.Duration // wait the service asked for
	refresh    bool          // 401 APIGW.0307: credentials must be refreshed
}

// get sends GET u, retrying as c.retry allows, and hands the body of the
// 2xx answer to decode. It returns the answer's X-Request-Id. decode must
// not keep body: the buffer is reused after it returns.
func (c *Client) get(ctx context.Context, u *url.URL, decode func(body []byte, requestID string) error) error {
	if ctx == nil {
		return &ValidationError{Field: "ctx", Reason: "must not be nil; use context.Background()"}
	}
	maxAttempts := c.retry.MaxAttempts
	refreshed := false
	var last error
	for attempt := 1; ; attempt++ {
		if c.limiter != nil {
			if err := c.limiter.wait(ctx, c.clock); err != nil {
				return c.stopped(ctx, u, err, last, attempt-1)
			}
		}
		out := c.try(ctx, u, attempt, decode)
		if out.err == nil {
			return nil
		}
		last = out.err
		if ctx.Err() != nil {
			return c.stopped(ctx, u, ctx.Err(), last, attempt)
		}
		if out.refresh && !refreshed {
			if inv, ok := c.creds.(Invalidator); ok {
				// One free retry with fresh credentials; it does not use
				// up the retry budget.
				inv.Invalidate()
				refreshed = true
				maxAttempts++
				continue
			}
		}
		if !out.retryable {
			if attempt > 1 {
				return &AttemptsError{Attempts: attempt, Err: last}
			}
			return last
		}
		if attempt >= maxAttempts {
			if maxAttempts == 1 {
				return last
			}
			return &AttemptsError{Attempts: attempt, Err: last}
		}
		delay := c.retry.backoff(attempt)
		if out.retryAfter > 0 {
			if out.retryAfter > c.retry.MaxDelay {
				// Sleeping that long would hide a hang; the caller sees
				// APIError.RetryAfter and decides.
				return &AttemptsError{Attempts: attempt, Err: last}
			}
			delay = out.retryAfter
		}
		c.logRetry(ctx, u, attempt, delay, last)
		if err := c.clock.Sleep(ctx, delay); err != nil {
			return c.stopped(ctx, u, err, last, attempt)
		}
	}
}

// stopped builds the error for a call the caller's context ended: it is
// errors.Is the context's error and still says what went wrong before.
func (c *Client) stopped(ctx context.Context, u *url.URL, cause, last error, attempts int) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(cause, ctxErr) {
		cause = ctxErr
	}
	if last == nil || errors.Is(last, cause) {
		return fmt.Errorf("hss: GET %s: %w", u.EscapedPath(), cause)
	}
	// Both are wrapped: errors.Is finds the context's error, errors.As
	// the *APIError (or transport error) of the last attempt.
	return fmt.Errorf("hss: GET %s: %w (after %d attempt(s); last error: %w)", u.EscapedPath(), cause, attempts, last)
}

// try makes one attempt.
func (c *Client) try(ctx context.Context, u *url.URL, attempt int, decode func([]byte, string) error) (out outcome) {
	actx := ctx
	if c.attemptTimeout > 0 && c.hc.Timeout == 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, c.attemptTimeout)
		defer cancel()
	}
	req := c.newRequest(actx, u)
	if err := c.creds.Authenticate(actx, req); err != nil {
		// A credential source that cannot produce credentials (metadata
		// down, IAM refusing) is retried like any connection error unless
		// it says otherwise.
		err = fmt.Errorf("hss: credentials: %w", c.attemptTimedOut(ctx, actx, err))
		return outcome{err: err, retryable: ctx.Err() == nil && isRetryableCredErr(err)}
	}
	start := c.clock.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		err = c.attemptTimedOut(ctx, actx, err)
		c.logAttempt(ctx, u, attempt, 0, "", start, err)
		return outcome{err: err, retryable: ctx.Err() == nil && retryableTransportErr(err)}
	}
	defer resp.Body.Close()
	reqID := clean(resp.Header.Get("X-Request-Id"), 128) // it reaches errors and logs
	c.logAttempt(ctx, u, attempt, resp.StatusCode, reqID, start, nil)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A gateway may quote the request, credentials included, back.
		apiErr := readAPIError(resp, c.clock.Now(), sentSecrets(req.Header))
		apiErr.Method, apiErr.Path = http.MethodGet, u.EscapedPath()
		return outcome{
			err:        apiErr,
			retryable:  retryableStatus(resp.StatusCode),
			retryAfter: apiErr.RetryAfter,
			refresh:    resp.StatusCode == http.StatusUnauthorized && apiErr.Code == "APIGW.0307",
		}
	}

	buf := getBuffer()
	defer putBuffer(buf)
	if err := readBody(resp, buf, c.maxBody); err != nil {
		err = fmt.Errorf("hss: GET %s: reading body%s: %w", u.EscapedPath(), requestIDNote(reqID), c.attemptTimedOut(ctx, actx, err))
		if errors.Is(err, ErrBodyTooLarge) {
			return outcome{err: err}
		}
		// The connection broke mid-body: a fresh attempt may get it whole.
		return outcome{err: err, retryable: ctx.Err() == nil}
	}
	if err := decode(buf.Bytes(), reqID); err != nil {
		de := &DecodeError{StatusCode: resp.StatusCode, RequestID: reqID, Err: err}
		return outcome{err: de}
	}
	return outcome{}
}

// ErrAttemptTimeout is wrapped by the error of an attempt that ran out of
// its own time (WithAttemptTimeout) while the caller's context had time
// left. It is retried; context.DeadlineExceeded is kept for the caller's
// own deadline.
var ErrAttemptTimeout = errors.New("hss: attempt timed out")

// attemptTimedOut replaces err by one wrapping ErrAttemptTimeout when the
// attempt's own time ran out (WithAttemptTimeout, or the http.Client's
// Timeout) while the caller's context had time left. The original error's
// text is kept in the message; it is not wrapped, so that
// context.DeadlineExceeded keeps meaning the caller's own deadline.
func (c *Client) attemptTimedOut(ctx, actx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	limit := c.attemptTimeout
	switch {
	case actx != ctx && actx.Err() != nil:
	case c.hc.Timeout > 0 && isTimeout(err):
		limit = c.hc.Timeout
	default:
		return err
	}
	return fmt.Errorf("%w after %s (%v)", ErrAttemptTimeout, limit, err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func requestIDNote(id string) string {
	if id == "" {
		return ""
	}
	return " (request id " + id + ")"
}

// newRequest builds the GET without parsing a URL string.
func (c *Client) newRequest(ctx context.Context, u *url.URL) *http.Request {
	h := make(http.Header, 6)
	h["User-Agent"] = []string{c.userAgent}
	h["Accept"] = []string{"application/json"}
	h["X-Project-Id"] = []string{c.projectID}
	req := &http.Request{
		Method:     http.MethodGet,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Host:       u.Host,
	}
	return req.WithContext(ctx)
}

// retryableTransportErr sorts errors from http.Client.Do: a broken or
// refused connection is worth another try; a bad certificate or a refused
// redirect is not.
func retryableTransportErr(err error) bool {
	var (
		redirect *RedirectError
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &redirect), errors.As(err, &verify), errors.As(err, &unknown),
		errors.As(err, &hostname), errors.As(err, &invalid):
		return false
	}
	return true
}

// NonRetryableError may be returned (wrapped) by Credentials.Authenticate
// to say that trying again will not help, such as rejected access keys.
type NonRetryableError interface {
	error
	NonRetryable() bool
}

func isRetryableCredErr(err error) bool {
	var nr NonRetryableError
	if errors.As(err, &nr) && nr.NonRetryable() {
		return false
	}
	var ve *ValidationError
	return !errors.As(err, &ve)
}

// bodyPool recycles read buffers between calls. Decoders copy what they
// keep, so no caller ever holds memory a later call overwrites.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps one huge answer from pinning memory in the pool.
const maxPooledBuffer = 1 << 20

func getBuffer() *bytes.Buffer { return bodyPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	bodyPool.Put(b)
}

// readBody reads resp.Body into buf, at most limit bytes.
func readBody(resp *http.Response, buf *bytes.Buffer, limit int64) error {
	if resp.ContentLength > limit {
		return fmt.Errorf("%w: Content-Length %d exceeds the %d byte cap", ErrBodyTooLarge, resp.ContentLength, limit)
	}
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength) + 1) // +1 so the EOF read needs no growth
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return err
	}
	if n > limit {
		return fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
	}
	return nil
}

func (c *Client) logAttempt(ctx context.Context, u *url.URL, attempt, status int, reqID string, start time.Time, err error) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", http.MethodGet),
		slog.String("path", u.EscapedPath()),
		slog.String("query", redactQuery(u.RawQuery)),
		slog.Int("attempt", attempt),
		slog.Duration("duration", c.clock.Now().Sub(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if reqID != "" {
		attrs = append(attrs, slog.String("request_id", reqID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "hss: request", attrs...)
}

func (c *Client) logRetry(ctx context.Context, u *url.URL, attempt int, delay time.Duration, err error) {
	if c.logger == nil {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "hss: retrying",
		slog.String("path", u.EscapedPath()),
		slog.Int("attempt", attempt),
		slog.Duration("wait", delay),
		slog.String("error", err.Error()))
}
