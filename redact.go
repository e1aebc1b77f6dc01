package hss

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
)

// secretWords mark query keys whose values are never logged: a key that
// contains one (any case) is secret.
var secretWords = []string{"token", "secret", "password", "passwd", "signature", "credential", "auth", "key"}

// secretParts are short words that mark a secret only as a whole part of
// the key ("sk", "x-ak", "access_ak"), not inside another word ("task").
var secretParts = []string{"ak", "sk"}

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

// secretHeaders carry credentials; their values never reach an error.
var secretHeaders = []string{"X-Auth-Token", "X-Security-Token", "Authorization"}

// minSecretLen: shorter values cannot be told from ordinary text.
const minSecretLen = 8

// sentSecrets lists the credentials a request carried, so an answer that
// quotes them back can be scrubbed. For Authorization it is the signature,
// the only secret part.
func sentSecrets(sent http.Header) []string {
	var out []string
	for _, name := range secretHeaders {
		for _, v := range sent[name] {
			if name == "Authorization" {
				if i := strings.LastIndex(v, "Signature="); i >= 0 {
					v = v[i+len("Signature="):]
				}
			}
			if len(v) >= minSecretLen {
				out = append(out, v)
			}
		}
	}
	return out
}

// scrub replaces every secret in s by REDACTED.
func scrub(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= minSecretLen {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}

// scrubBytes is scrub for a body; b is returned as is when it holds no
// secret.
func scrubBytes(b []byte, secrets []string) []byte {
	for _, v := range secrets {
		if len(v) >= minSecretLen && bytes.Contains(b, []byte(v)) {
			b = bytes.ReplaceAll(b, []byte(v), []byte(redacted))
		}
	}
	return b
}
