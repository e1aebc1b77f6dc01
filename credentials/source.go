package credentials

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/hsskit/hss/internal/errbody"
	"github.com/hsskit/hss/internal/secret"
	"github.com/hsskit/hss/internal/status"
)

// noRedirects returns a copy of hc (or a new client with timeout when hc
// is nil) that never follows a redirect: a credential request must reach
// the source it was meant for, and a password must not be resent elsewhere.
// hc itself is never modified.
func noRedirects(hc *http.Client, timeout func() *http.Client) *http.Client {
	var cp http.Client
	if hc == nil {
		cp = *timeout()
	} else {
		cp = *hc
	}
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// maxRetryAfter is the longest Retry-After read from a source.
const maxRetryAfter = 24 * time.Hour

// maxErrorText bounds the text of a transport error, which may quote what
// the source sent.
const maxErrorText = 256

// errNoAnswerInTime replaces a timeout of a credential source.
var errNoAnswerInTime = errors.New("no answer in the time allowed")

// ask sends req through hc and reads at most max bytes of the answer's
// body. The caller's context always wins: the body is closed when ctx
// ends, whatever the server does. An informational (1xx) answer, which no
// credential source sends, ends the request at once.
func ask(ctx context.Context, hc *http.Client, req *http.Request, max int64, scrub *secret.Scrubber) (*http.Response, []byte, error) {
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // *url.Error quotes the URL; Error names the host
		}
		var (
			pe      textproto.ProtocolError
			timeout interface{ Timeout() bool }
		)
		switch msg := err.Error(); {
		case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
			// The fetch's own time ran out (the caller's is not part of
			// it): context.DeadlineExceeded stays the caller's own.
			err = errNoAnswerInTime
		case errors.As(err, &pe):
			// net/http quotes the offending line, which may hold a token.
			err = errors.New("the answer is not well-formed HTTP")
		case strings.HasPrefix(msg, "failed to parse Location header"):
			err = errors.New("the answer's Location header is not a URL") // it quoted the whole Location
		case secret.Text(msg, scrub, maxErrorText) != msg:
			err = errors.New(secret.Text(msg, scrub, maxErrorText)) // bounded: it may quote what the server sent
		}
		return nil, nil, err
	}
	defer resp.Body.Close()
	stop := context.AfterFunc(ctx, func() { resp.Body.Close() })
	defer stop()
	if resp.StatusCode < 200 {
		return nil, nil, fmt.Errorf("unexpected %d %s answer", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		if ctx.Err() != nil {
			err = errNoAnswerInTime
		}
		return nil, nil, fmt.Errorf("reading the answer: %w", err)
	}
	if int64(len(body)) > max {
		return nil, nil, fmt.Errorf("answer is longer than %d bytes", max)
	}
	return resp, body, nil
}

// answerError builds the *Error for a non-2xx answer. It reads the code,
// message and request id of a JSON error body but never quotes a body that
// is not such JSON: a proxy echoing the request would put a password in the
// error. Every field is scrubbed of the request's secrets before it is
// cleaned and shortened.
func answerError(source, u string, resp *http.Response, body []byte, scrub *secret.Scrubber, now time.Time) *Error {
	e := &Error{Source: source, URL: u, StatusCode: resp.StatusCode,
		RetryAfter: status.RetryAfter(resp.Header.Get("Retry-After"), now, maxRetryAfter)}
	code, msg, reqID, _ := errbody.Parse(body)
	e.Code = secret.Text(code, scrub, 64)
	e.Message = secret.Text(msg, scrub, 512)
	e.RequestID = secret.Text(reqID, scrub, 128)
	if id := resp.Header.Get("X-Request-Id"); id != "" {
		e.RequestID = secret.Text(id, scrub, 128)
	}
	return e
}
