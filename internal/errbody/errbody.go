// Package errbody reads the error bodies of HSS, API Gateway and IAM in
// every shape they use.
package errbody

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Parse reads code, message and request id, as sent (not yet scrubbed or
// cleaned), from a JSON error object in any of the shapes HSS, API Gateway
// and IAM use: {"error_code","error_msg"}, {"code","message"} or
// {"error":{"code","message"}}. Each field is read on its own, so one of an
// unexpected type does not hide the others. Keys match exactly. ok is false
// when body is not a JSON object.
func Parse(body []byte) (code, msg, requestID string, ok bool) {
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

// FirstLine returns the first non-blank line of a non-JSON body, with HTML
// tags dropped, so a gateway's error page reads as its title. It reads at
// most a few hundred characters.
func FirstLine(b []byte) string {
	var out strings.Builder
	inTag := false
	for _, r := range string(bytes.TrimSpace(b)) {
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
		if out.Len() > 400 {
			break
		}
	}
	return strings.TrimSpace(out.String())
}
