package sign

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Key is an access key; SecurityToken is set for temporary keys.
type Key struct {
	// AccessKey (AK) names the key. It is not a secret: it travels in
	// every request.
	AccessKey string
	// SecretKey (SK) signs. It never leaves the process.
	SecretKey string
	// SecurityToken comes with temporary keys; it is sent as
	// X-Security-Token and signed.
	SecurityToken string
}

// Bounds on the parts of a Key. Huawei Cloud issues 20-character AKs and
// 40-character SKs; the bounds leave room without accepting garbage.
const (
	maxAccessKeyLen     = 128
	maxSecretKeyLen     = 256
	maxSecurityTokenLen = 32768
)

// redacted is what every secret prints as.
const redacted = "REDACTED"

// Validate checks that the key can sign: an AccessKey of 1-128 characters
// from A-Z a-z 0-9 - _ ., a SecretKey of 1-256 bytes, and an optional
// SecurityToken of at most 32,768 bytes; secrets must be valid UTF-8 without
// control characters or surrounding white space. It returns a *KeyError.
func (k Key) Validate() error {
	if n := len(k.AccessKey); n == 0 || n > maxAccessKeyLen {
		return &KeyError{Field: "AccessKey", Reason: fmt.Sprintf("must be 1-%d characters, got %d", maxAccessKeyLen, n)}
	}
	for i := 0; i < len(k.AccessKey); i++ {
		if c := k.AccessKey[i]; !unreserved(c) || c == '~' {
			return &KeyError{Field: "AccessKey", Reason: "must hold only A-Z, a-z, 0-9, '-', '_' and '.'"}
		}
	}
	if n := len(k.SecretKey); n == 0 || n > maxSecretKeyLen {
		return &KeyError{Field: "SecretKey", Reason: fmt.Sprintf("must be 1-%d bytes, got %d", maxSecretKeyLen, n)}
	}
	if reason := secretProblem(k.SecretKey); reason != "" {
		return &KeyError{Field: "SecretKey", Reason: reason}
	}
	if k.SecurityToken == "" {
		return nil
	}
	if n := len(k.SecurityToken); n > maxSecurityTokenLen {
		return &KeyError{Field: "SecurityToken", Reason: fmt.Sprintf("must be at most %d bytes, got %d", maxSecurityTokenLen, n)}
	}
	if reason := secretProblem(k.SecurityToken); reason != "" {
		return &KeyError{Field: "SecurityToken", Reason: reason}
	}
	return nil
}

// secretProblem says what makes v unusable in a header, without quoting it.
func secretProblem(v string) string {
	if !utf8.ValidString(v) {
		return "must be valid UTF-8"
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return "must not contain control characters"
	}
	if strings.TrimSpace(v) != v {
		return "must not start or end with white space"
	}
	return ""
}

// view is what a Key shows of itself: the AK, and whether each secret is set.
func (k Key) view() (sk, token string) {
	sk, token = "none", "none"
	if k.SecretKey != "" {
		sk = redacted
	}
	if k.SecurityToken != "" {
		token = redacted
	}
	return sk, token
}

// Format prints the AccessKey and REDACTED for each secret that is set,
// for every fmt verb.
func (k Key) Format(f fmt.State, _ rune) {
	sk, token := k.view()
	fmt.Fprintf(f, "sign.Key{AccessKey: %s, SecretKey: %s, SecurityToken: %s}", k.AccessKey, sk, token)
}

// MarshalJSON writes the AccessKey and REDACTED for each secret that is set.
func (k Key) MarshalJSON() ([]byte, error) {
	sk, token := k.view()
	return json.Marshal(struct {
		AccessKey     string `json:"access_key"`
		SecretKey     string `json:"secret_key"`
		SecurityToken string `json:"security_token"`
	}{k.AccessKey, sk, token})
}

// LogValue shows the AccessKey and REDACTED for each secret that is set.
func (k Key) LogValue() slog.Value {
	sk, token := k.view()
	return slog.GroupValue(slog.String("access_key", k.AccessKey), slog.String("secret_key", sk), slog.String("security_token", token))
}
