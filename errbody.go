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
func readAPIError(resp *http.Response, now time.Time) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBodyBytes))
	e := parseErrorBody(resp.StatusCode, body)
	if id := resp.Header.Get("X-Request-Id"); id != "" {
		e.RequestID = id
	}
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

// errorBody holds every field name seen in HSS and API Gateway errors.
type errorBody struct {
	ErrorCode string          `json:"error_code"`
	ErrorMsg  string          `json:"error_msg"`
	Code      json.RawMessage `json:"code"` // string, or a number on some gateways
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Error     *struct {
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
	} `json:"error"`
}

// parseErrorBody never fails: whatever it cannot read stays empty, and a
// non-JSON body lends its first line to Message.
func parseErrorBody(status int, body []byte) *APIError {
	e := &APIError{StatusCode: status}
	if len(body) > 0 {
		e.Body = body
	}
	trimmed := bytes.TrimSpace(body)
	var eb errorBody
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &eb) == nil {
		e.Code = firstNonEmpty(eb.ErrorCode, rawCode(eb.Code))
		e.Message = firstNonEmpty(eb.ErrorMsg, eb.Message)
		if eb.Error != nil {
			e.Code = firstNonEmpty(e.Code, rawCode(eb.Error.Code))
			e.Message = firstNonEmpty(e.Message, eb.Error.Message)
		}
		e.RequestID = eb.RequestID
		e.Code = clean(e.Code, 64)
		e.Message = clean(e.Message, 512)
		e.RequestID = clean(e.RequestID, 128)
		return e
	}
	e.Message = clean(firstLine(trimmed), 200)
	return e
}

// rawCode reads a code that is a JSON string or number.
func rawCode(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
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
	s := string(b)
	var out strings.Builder
	inTag := false
	for _, r := range s {
		switch {
		case r == '<':
			inTag = true
		case r == '>':
			inTag = false
			if out.Len() > 0 && strings.TrimSpace(out.String()) != "" {
				// a tag after text ends the first line
				if t := strings.TrimSpace(out.String()); t != "" {
					return t
				}
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
		if out.Len() > 400 {
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
