package hss

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/hsskit/hss/credentials"
	"github.com/hsskit/hss/internal/secret"
)

// attemptContext bounds one attempt by the per-attempt timeout: the one
// WithAttemptTimeout set, or else the default when the http.Client has no
// Timeout of its own. net/http applies that Timeout itself, so with both
// the shorter ends the attempt.
func (c *Client) attemptContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.cfg.attemptTimeout > 0 && (c.cfg.hc.Timeout <= 0 || c.cfg.attemptTimeoutSet) {
		return context.WithTimeout(ctx, c.cfg.attemptTimeout)
	}
	return ctx, func() {}
}

// credentialsFailed is the result of an attempt whose credentials could
// not be had or used: nothing was sent.
func (c *Client) credentialsFailed(ctx, actx context.Context, cl *call, err error) attemptResult {
	err = c.timedOut(ctx, actx, err)
	if ctx.Err() == nil && actx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		// The source's own deadline, not the caller's: keep
		// context.DeadlineExceeded for the caller's.
		err = errors.New(err.Error())
	}
	if !fromCredentials(err) {
		err = fmt.Errorf("credentials: %w", err)
	}
	return attemptResult{
		err:      &RequestError{Method: cl.method, Path: c.scrubber(c.lastCredentials(), nil).String(cl.u.EscapedPath()), Err: err},
		verdict:  judgeCredentials(err),
		notSent:  true,
		timedOut: errors.Is(err, ErrAttemptTimeout),
	}
}

// transportFailed is the result of an attempt that got no answer from
// http.Client.Do, with what the server sent scrubbed from the error.
func (c *Client) transportFailed(ctx, actx context.Context, cl *call, req *http.Request, v credentials.Value, err error) attemptResult {
	scrub := c.scrubber(v, req.Header)
	err = c.timedOut(ctx, actx, scrubTransportError(unwrapURLError(err), scrub, cl))
	verdict, notSent := judgeTransport(err)
	return attemptResult{err: &RequestError{Method: cl.method, Path: scrub.String(cl.u.EscapedPath()), Err: err}, verdict: verdict, notSent: notSent,
		timedOut: errors.Is(err, ErrAttemptTimeout)}
}

// timedOut replaces err by one wrapping ErrAttemptTimeout when the
// attempt's own time ran out (WithAttemptTimeout, or the http.Client's
// Timeout) while the caller's context had time left. The original error's
// text is kept but not wrapped, so that context.DeadlineExceeded keeps
// meaning the caller's own deadline.
func (c *Client) timedOut(ctx, actx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	limit := c.cfg.attemptTimeout
	switch {
	case actx != ctx && actx.Err() != nil:
	case c.cfg.hc.Timeout > 0 && isTimeout(err):
		limit = c.cfg.hc.Timeout
	default:
		return err
	}
	if err.Error() == context.DeadlineExceeded.Error() {
		return fmt.Errorf("%w after %s", ErrAttemptTimeout, limit) // nothing more to say
	}
	return fmt.Errorf("%w after %s (%v)", ErrAttemptTimeout, limit, err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// scrubTransportError keeps what the server sent out of a transport
// error's text. net/http quotes a malformed header or status line, and a
// Location it cannot parse, whole: such an error is replaced by a plain
// one with the request's secrets scrubbed (a Location by a redirect
// refusal, which names the host only). Other errors are returned as they
// are. scrub knows the request's secrets.
func scrubTransportError(err error, scrub *secret.Scrubber, cl *call) error {
	msg := err.Error()
	var pe textproto.ProtocolError
	switch {
	case strings.HasPrefix(msg, "failed to parse Location header"):
		return &RedirectError{From: cl.u.Scheme + "://" + cl.u.Host, To: "a Location that is not a URL"}
	case errors.As(err, &pe):
		return errors.New("the answer is not well-formed HTTP") // it quoted the offending line
	}
	if scrubbed := secret.Text(msg, scrub, maxTransportErrorLen); scrubbed != msg {
		var rd *RedirectError
		if errors.As(err, &rd) { // a host the server named may hold a secret too
			return &RedirectError{From: scrub.String(rd.From), To: scrub.String(rd.To), Loop: rd.Loop, Err: rd.Err}
		}
		return errors.New(scrubbed)
	}
	return err
}

// maxTransportErrorLen bounds the text of a transport error, which may
// quote what the server sent (a malformed status line, say).
const maxTransportErrorLen = 512

// unwrapURLError drops the *url.Error net/http wraps everything in: it
// quotes the whole URL, query and redirect target included, and the
// Client's errors name the operation themselves.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// fromCredentials reports an error of package credentials, whose message
// names the credentials already.
func fromCredentials(err error) bool {
	var (
		ce  *credentials.Error
		cfg *credentials.ConfigError
	)
	return errors.As(err, &ce) || errors.As(err, &cfg) || errors.Is(err, credentials.ErrNoCredentials)
}
