package hss

import (
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
