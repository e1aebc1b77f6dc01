package hss

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
)

// secretWords mark query keys whose values are never logged.
var secretWords = []string{"token", "secret", "password", "passwd", "signature", "credential", "auth", "key", "sk", "ak"}

// redactQuery returns rawQuery with the value of every secret-looking key
// replaced by REDACTED. An unparsable query is dropped whole.
func redactQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		return redacted
	}
	changed := false
	for k, vs := range vals {
		if isSecretKey(k) {
			for i := range vs {
				vs[i] = redacted
			}
			changed = true
		}
	}
	if !changed {
		return rawQuery
	}
	return vals.Encode()
}

func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretWords {
		if k == w || strings.Contains(k, w) && len(w) > 3 {
			return true
		}
	}
	return strings.HasSuffix(k, "_sk") || strings.HasSuffix(k, "_ak")
}

// secretHeaders carry credentials; their values never reach an error.
var secretHeaders = []string{"X-Auth-Token", "X-Security-Token", "Authorization"}

// scrubEcho removes from e every credential the request carried, in case
// the service or a gateway quoted the request back in its answer. For
// Authorization it removes the signature, the only secret part.
func scrubEcho(e *APIError, sent http.Header) {
	for _, name := range secretHeaders {
		for _, v := range sent[name] {
			if name == "Authorization" {
				if i := strings.LastIndex(v, "Signature="); i >= 0 {
					v = v[i+len("Signature="):]
				}
			}
			if len(v) < 8 { // too short to tell from ordinary text
				continue
			}
			e.Code = strings.ReplaceAll(e.Code, v, redacted)
			e.Message = strings.ReplaceAll(e.Message, v, redacted)
			e.RequestID = strings.ReplaceAll(e.RequestID, v, redacted)
			e.Body = bytes.ReplaceAll(e.Body, []byte(v), []byte(redacted))
		}
	}
}
