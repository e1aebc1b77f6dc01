package secret

import (
	"strings"
	"unicode"
)

// Clean makes server-supplied text safe to print on one line: control and
// format characters (line breaks, ESC, C1 codes, bidi overrides, zero-width
// characters) become spaces, invalid UTF-8 becomes U+FFFD, and the result is
// cut to max characters, with "..." when cut. Scrub secrets before calling
// Clean, so that no cut leaves part of one.
func Clean(v string, max int) string {
	if v == "" || len(v) <= max && printableASCII(v) {
		return strings.TrimSpace(v)
	}
	var b strings.Builder
	n := 0
	for _, r := range v {
		if n >= max {
			b.WriteString("...")
			break
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			r = ' ' // range already reads invalid UTF-8 as U+FFFD
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// printableASCII reports whether v holds only printable ASCII, which Clean
// leaves as it is.
func printableASCII(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// Text scrubs then cleans server-supplied text; see Scrubber.String and Clean.
func Text(v string, s *Scrubber, max int) string {
	return Clean(s.String(v), max)
}
