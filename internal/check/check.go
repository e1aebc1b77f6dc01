// Package check holds the input rules the root package and credentials
// share. Each function returns why a value is refused, or "" when it is
// fine; callers wrap the reason in their own error type. No reason ever
// quotes the value, which may be a secret.
package check

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Loopback reports whether host is localhost or a loopback address, where
// plain http cannot be overheard.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// MaxTokenBytes is the longest X-Auth-Token the API accepts.
const MaxTokenBytes = 32768

// Token checks an IAM token: 1-32,768 bytes of valid UTF-8 without control
// characters or surrounding white space.
func Token(tok string) string {
	if n := len(tok); n == 0 || n > MaxTokenBytes {
		return fmt.Sprintf("must be 1-%d bytes, got %d", MaxTokenBytes, n)
	}
	return Secret(tok)
}

// Secret checks text that travels in a header: valid UTF-8, no control
// characters, no surrounding white space.
func Secret(v string) string {
	if !utf8.ValidString(v) {
		return "must be valid UTF-8"
	}
	if HasControl(v) {
		return "must not contain control characters"
	}
	if strings.TrimSpace(v) != v {
		return "must not start or end with white space"
	}
	return ""
}

// HasControl reports whether s holds a control character (C0, DEL or C1).
func HasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// Text checks optional text: empty, or at most max characters of valid
// UTF-8 without control characters.
func Text(v string, max int) string {
	if v == "" {
		return ""
	}
	if n := utf8.RuneCountInString(v); n > max {
		return fmt.Sprintf("must be empty or 1-%d characters, got %d", max, n)
	}
	if !utf8.ValidString(v) {
		return "must be valid UTF-8"
	}
	if HasControl(v) {
		return "must not contain control characters"
	}
	return ""
}

// PathID checks an identifier that goes into a URL path: 1-max characters
// of valid UTF-8 without control or format (zero-width, bidi) characters,
// without '/' or '\', and not a dot segment, however its dots are spelled
// (fullwidth, one-dot leader, ...). Real ids never hold any of these, and a
// gateway that normalises them would route the request elsewhere.
func PathID(v string, max int) string {
	if n := utf8.RuneCountInString(v); n < 1 || n > max {
		return fmt.Sprintf("must be 1-%d characters, got %d", max, n)
	}
	if !utf8.ValidString(v) {
		return "must be valid UTF-8"
	}
	if HasControl(v) {
		return "must not contain control characters"
	}
	if strings.IndexFunc(v, func(r rune) bool { return unicode.Is(unicode.Cf, r) }) >= 0 {
		return "must not contain format characters (zero-width or bidi marks)"
	}
	if strings.ContainsAny(v, `/\`) {
		return `must not contain '/' or '\'`
	}
	if isDotSegment(v) {
		return "must not be a dot segment (. or ..)"
	}
	return ""
}

// isDotSegment reports whether v reads as "." or ".." once the characters
// that Unicode normalisation turns into '.' are mapped to it.
func isDotSegment(v string) bool {
	dots := 0
	for _, r := range v {
		switch r {
		case '.', '\uFF0E', '\u2024', '\uFE52', '\u3002', '\uFF61':
			dots++
		case '\u2025': // two dot leader: ".." once normalised
			dots += 2
		default:
			return false
		}
	}
	return dots == 1 || dots == 2
}
