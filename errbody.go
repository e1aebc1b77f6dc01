package hss

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// readAPIError builds the *APIError for a non-2xx answer from whichever
// body shape the service or a gateway chose: {"error_code","error_msg"},
// {"code","message"}, {"error":{"code","message"}}, or not JSON at all.
// secrets (the credentials the request carried) are replaced by REDACTED
// wherever the answer quotes them back, before anything is shortened.
func readAPIError(resp *http.Response, now time.Time, secrets []string) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBodyBytes))
	e := parseErrorBody(resp.StatusCode, body, secrets)
	if id := resp.Header.Get("X-Request-Id"); id != "" {
		e.RequestID = clean(scrub(id, secrets), 128)
	}
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

// parseErrorBody never fails: whatever it cannot read stays empty, and a
// non-JSON body lends its first line to Message. secrets are scrubbed from
// the body and from every decoded field before the fields are cleaned and
// shortened, so no part of a long token survives.
func parseErrorBody(status int, body []byte, secrets []string) *APIError {
	e := &APIError{StatusCode: status}
	body = scrubBytes(body, secrets)
	if len(body) > 0 {
		e.Body = body
	}
	code, msg, reqID, ok := parseJSONError(body)
	if !ok {
		e.Message = clean(scrub(firstLine(bytes.TrimSpace(body)), secrets), 200)
		return e
	}
	e.Code = clean(scrub(code, secrets), 64)
	e.Message = clean(scrub(msg, secrets), 512)
	e.RequestID = clean(scrub(reqID, secrets), 128)
	return e
}

// parseJSONError reads code, message and request id, as sent (not yet
// cleaned), from a JSON error object in any shape HSS, API Gateway and IAM
// use: {"error_code","error_msg"}, {"code","message"} or
// {"error":{"code","message"}}. Each field is read on its own, so one of an
// unexpected type (a numeric code, an "error" that is a string) does not
// hide the others. Keys match exactly. ok is false when body is not a JSON
// object.
func parseJSONError(body []byte) (code, msg, requestID string, ok bool) {
	trimmed := bytes.TrimSpace(body)
	var top map[string]json.RawMessage
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &top) != nil {
		return "", "", "", false
	}
	code = firstNonEmpty(text(top["error_code"]), text(top["code"]))
	msg = firstNonEmpty(text(top["error_msg"]), text(top["message"]))
	var nested map[string]json.RawMessage
	if raw, ok := top["error"]; ok && json.Unmarshal(raw, &nested) == nil {
		code = firstNonEmpty(code, text(nested["code"]))
		msg = firstNonEmpty(msg, text(nested["message"]))
	}
	return code, msg, text(top["request_id"]), true
}

// text reads a JSON string or number as text; anything else is "".
func text(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// firstLine returns the first non-blank line of a non-JSON body, with HTML
// tags dropped, so a gateway's error page reads as its title.
func firstLine(b []byte) string {
	var out strings.Builder
	inTag := false
	for _, r := range string(b) {
		switch {
		case r == '<':
			inTag = true
		case r == '>':
			inTag = false
			if t := strings.TrimSpace(out.String()); t != "" {
				return t // a tag after text ends the first line
			}
		case inTag:
		case r == '\n' || r == '\r':
			if t := strings.TrimSpace(out.String()); t != "" {
				return t
			}
			out.Reset()
		default:
			out.WriteRune(r)
		}
		if out.Len() > 400 { // clean shortens it further; stop reading
			break
		}
	}
	return strings.TrimSpace(out.String())
}

// clean makes a server-supplied string safe to print on one line: control
// characters become spaces, invalid UTF-8 is replaced and length is capped.
func clean(s string, max int) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= max {
			b.WriteString("...")
			break
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			r = ' ' // invalid UTF-8 already ranges as utf8.RuneError
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}
