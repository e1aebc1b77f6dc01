package hss

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/internal/errbody"
	"github.com/hsskit/hss/internal/secret"
)

// readAnswer reads an answer to the end: a 2xx body goes to cl.decode, any
// other status becomes an *APIError. The caller's context always wins: the
// body is closed when it ends, whatever the server does. Everything the
// server sent that reaches an error or a log is scrubbed of the request's
// credentials first. used is the offset from the Client's clock the
// request was signed with, when it was.
func (c *Client) readAnswer(ctx, actx context.Context, cl *call, resp *http.Response, v credentials.Value, sent http.Header, used time.Duration) attemptResult {
	defer resp.Body.Close()
	var scrub *secret.Scrubber
	scrubber := func() *secret.Scrubber {
		if scrub == nil {
			scrub = c.scrubber(v, sent)
			for _, sig := range redirectSignatures(resp, sent) {
				scrub = scrub.WithHex(sig) // a server may echo what it got after its redirects too
			}
		}
		return scrub
	}
	reqID := resp.Header.Get("X-Request-Id")
	if reqID != "" {
		reqID = c.cleanRequestID(reqID, v, sent, scrubber)
	}
	if resp.StatusCode < 200 {
		// 101 Switching Protocols hands the raw connection over as the
		// body; nothing this API sends starts with a 1xx.
		e := &APIError{StatusCode: resp.StatusCode, Method: cl.method, RequestID: reqID,
			Message: fmt.Sprintf("unexpected %d %s answer", resp.StatusCode, http.StatusText(resp.StatusCode))}
		e.Path, e.RedirectedTo = answerPaths(cl, resp, scrubber())
		return attemptResult{err: e, verdict: final, requestID: reqID}
	}
	stop := context.AfterFunc(actx, func() { resp.Body.Close() })
	defer stop()
	signed := v.AccessKey != "" && c.signer != nil
	if resp.StatusCode > 299 {
		e, explicit := readAPIError(resp, scrubber(), c.cfg.clock.Now())
		e.Method, e.RequestID = cl.method, firstNonEmpty(reqID, e.RequestID)
		e.Path, e.RedirectedTo = answerPaths(cl, resp, scrubber())
		verdict := judgeAnswer(e.StatusCode, e.Code)
		if signed {
			// Signed again only on an offset other than the one refused:
			// the same one would be refused again, and count towards the
			// gateway's lock of a failing key.
			switch again, why := c.signer.learn(ctx, resp, e.Body, c.cfg.clock.Now(), used); {
			case again:
				verdict = resign
			case why != "":
				verdict, e.hint = final, why
			}
		}
		return attemptResult{err: e, verdict: verdict, requestID: e.RequestID, retryAfter: explicit}
	}
	if signed {
		c.signer.learn(ctx, resp, nil, c.cfg.clock.Now(), used)
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := readBody(resp, buf, c.cfg.maxBody, bodiless(cl.method, resp.StatusCode)); err != nil {
		if actx.Err() != nil && !errors.Is(err, ErrBodyTooLarge) {
			err = contextEnded(actx, err)
		}
		err = scrubTransportError(err, scrubber(), cl)
		err = c.timedOut(ctx, actx, err)
		verdict, _ := judgeTransport(err)
		return attemptResult{err: answerError(cl, resp, scrubber(), reqID, "reading the answer", err),
			verdict: verdict, timedOut: errors.Is(err, ErrAttemptTimeout), requestID: reqID}
	}
	if cl.decode != nil {
		if err := cl.decode(resp.StatusCode, buf.Bytes(), reqID); err != nil {
			var we writeError
			if errors.As(err, &we) { // the answer was fine; out refused it
				return attemptResult{err: answerError(cl, resp, scrubber(), reqID, "writing the answer to out", we.err),
					verdict: final, requestID: reqID}
			}
			// A decoder's error may quote the value it could not read,
			// which may be an echo of a secret.
			if msg := err.Error(); secret.Text(msg, scrubber(), maxTransportErrorLen) != msg {
				err = errors.New(secret.Text(msg, scrubber(), maxTransportErrorLen))
			}
			path, to := answerPaths(cl, resp, scrubber())
			return attemptResult{err: &DecodeError{Method: cl.method, Path: path, RedirectedTo: to, StatusCode: resp.StatusCode, RequestID: reqID, Err: err},
				verdict: final, requestID: reqID}
		}
	}
	return attemptResult{requestID: reqID}
}

// answerPaths names the request of an answer for its errors: the path
// asked for and, after a redirect the Client followed, the path that
// answered, both scrubbed.
func answerPaths(cl *call, resp *http.Response, scrub *secret.Scrubber) (path, redirectedTo string) {
	path = scrub.String(cl.u.EscapedPath())
	if r := resp.Request; r != nil && r.URL != nil && r.URL.Path != cl.u.Path {
		redirectedTo = scrub.String(r.URL.EscapedPath())
	}
	return path, redirectedTo
}

// answerError is the *RequestError of err, met while doing what of an
// answer.
func answerError(cl *call, resp *http.Response, scrub *secret.Scrubber, reqID, what string, err error) *RequestError {
	path, to := answerPaths(cl, resp, scrub)
	return &RequestError{Method: cl.method, Path: path, RedirectedTo: to, RequestID: reqID, Err: fmt.Errorf("%s: %w", what, err)}
}

// redirectSignatures are the signatures of the requests the Client made
// after the first, sent, following redirects to resp: each was signed
// again for its own path.
func redirectSignatures(resp *http.Response, sent http.Header) []string {
	var sigs []string
	first := signatureOf(sent)
	for r, n := resp.Request, 0; r != nil && n <= maxRedirects; n++ {
		if sig := signatureOf(r.Header); sig != "" && sig != first {
			sigs = append(sigs, sig)
		}
		if r.Response == nil {
			break
		}
		r = r.Response.Request
	}
	return sigs
}

// maxRequestIDLen bounds a request id taken from an answer.
const maxRequestIDLen = 128

// readAPIError builds the *APIError for a non-2xx answer from whichever
// body shape the service or a gateway chose: {"error_code","error_msg"},
// {"code","message"}, {"error":{"code","message"}}, or not JSON at all.
// Echoed credentials are scrubbed from the body before anything is read
// from it or shortened. explicit reports a readable Retry-After header, 0
// included.
func readAPIError(resp *http.Response, scrub *secret.Scrubber, now time.Time) (e *APIError, explicit bool) {
	var buf bytes.Buffer // the APIError keeps the body: not a pooled one
	_, _ = buf.ReadFrom(io.LimitReader(resp.Body, MaxErrorBodyBytes))
	body := buf.Bytes()
	if cap(body)-len(body) > 4<<10 {
		body = bytes.Clone(body) // the buffer doubled as it grew: keep the body, not twice it
	}
	e = parseErrorBody(resp.StatusCode, body, scrub)
	e.RetryAfter, explicit = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	return e, explicit
}

// parseErrorBody never fails: whatever it cannot read stays empty, and a
// non-JSON body lends its first line to Message.
func parseErrorBody(status int, body []byte, scrub *secret.Scrubber) *APIError {
	e := &APIError{StatusCode: status}
	// A scrubbed short secret makes the body longer: it is cut again.
	body = scrub.Bytes(body)
	body = body[:min(len(body), MaxErrorBodyBytes)]
	if len(body) > 0 {
		e.Body = body
	}
	code, msg, reqID, ok := errbody.Parse(body)
	if !ok {
		e.Message = secret.Text(errbody.FirstLine(body), scrub, 200)
		return e
	}
	e.Code = secret.Text(code, scrub, 64)
	e.Message = secret.Text(msg, scrub, 512)
	e.RequestID = secret.Text(reqID, scrub, maxRequestIDLen)
	return e
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
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

// readBody reads resp.Body into buf, at most limit bytes. The
// Content-Length of an answer without a body (see bodiless) tells the
// length a GET would get, not what is read, so it is not held to limit.
func readBody(resp *http.Response, buf *bytes.Buffer, limit int64, noBody bool) error {
	if resp.ContentLength > limit && !noBody {
		return fmt.Errorf("%w: Content-Length %d exceeds the %d byte cap", ErrBodyTooLarge, resp.ContentLength, limit)
	}
	if resp.ContentLength > 0 && !noBody {
		// +1 so the EOF read needs no growth; at most 64 KiB up front, so
		// that a declared length a server does not send costs nothing.
		buf.Grow(int(min(resp.ContentLength, 64<<10)) + 1)
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

// bodiless reports an answer that has no body whatever its headers say:
// one to HEAD, and 204 and 304 (RFC 9110, sections 9.3.2, 15.3.5, 15.4.5).
func bodiless(method string, status int) bool {
	return method == http.MethodHead || status == http.StatusNoContent || status == http.StatusNotModified
}

// contextEnded is err, seen after ctx ended, as an error that wraps ctx's
// end, keeping err's text when it says more.
func contextEnded(ctx context.Context, err error) error {
	switch end := ctx.Err(); {
	case errors.Is(err, end), err.Error() == end.Error():
		return end
	case err.Error() == context.Cause(ctx).Error():
		return end // a cancellation cause is the caller's own, shown by its context
	default:
		return fmt.Errorf("%w (%v)", end, err)
	}
}
