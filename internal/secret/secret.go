// Package secret keeps credentials out of text that reaches errors and
// logs: it scrubs secrets a server echoed back, in every form an echo
// takes, and makes server-supplied text safe to print on one line.
package secret

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"unicode"
)

// Redacted is what every secret shows as.
const Redacted = "REDACTED"

// MinLen is the shortest secret (and the shortest echoed prefix of one)
// that is scrubbed: shorter text cannot be told from ordinary words.
const MinLen = 8

// Scrubber removes secrets from server-supplied text. The zero value and a
// nil *Scrubber scrub nothing.
type Scrubber struct {
	forms []string // every spelling of every secret, at least MinLen long
}

// NewScrubber returns a Scrubber for secrets. Each secret is looked for as
// it is, JSON-escaped (with and without HTML escaping, and with "\/" for
// '/'), and URL-escaped (query and path escaping, upper- and lower-case
// hex); any prefix of MinLen or more characters of one of those forms is
// scrubbed too, so an echo cut short leaves nothing. Secrets shorter than
// MinLen are ignored.
func NewScrubber(secrets ...string) *Scrubber {
	s := &Scrubber{}
	seen := map[string]bool{}
	add := func(f string) {
		if len(f) >= MinLen && !seen[f] {
			seen[f] = true
			s.forms = append(s.forms, f)
		}
	}
	for _, v := range secrets {
		if len(v) < MinLen {
			continue
		}
		add(v)
		for _, j := range jsonForms(v) {
			add(j)
			add(strings.ReplaceAll(j, "/", `\/`))
		}
		for _, u := range []string{url.QueryEscape(v), url.PathEscape(v)} {
			add(u)
			add(lowerHex(u))
		}
	}
	return s
}

// jsonForms returns v's body as encoding/json writes it, with and without
// HTML escaping.
func jsonForms(v string) []string {
	var out []string
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b[1:len(b)-1]))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) == nil {
		b := bytes.TrimSpace(buf.Bytes())
		out = append(out, string(b[1:len(b)-1]))
	}
	return out
}

// lowerHex lower-cases the hex digits of every %XX escape in s.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lower(b[i+1]), lower(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// With returns a Scrubber for the secrets of s and extra.
func (s *Scrubber) With(extra ...string) *Scrubber {
	more := NewScrubber(extra...)
	if s.Empty() {
		return more
	}
	return &Scrubber{forms: append(append([]string(nil), s.forms...), more.forms...)}
}

// Empty reports whether s scrubs nothing.
func (s *Scrubber) Empty() bool { return s == nil || len(s.forms) == 0 }

// String returns v with every echoed secret, or prefix of MinLen or more
// characters of one, replaced by REDACTED.
func (s *Scrubber) String(v string) string {
	if s.Empty() || len(v) < MinLen {
		return v
	}
	return string(s.Bytes([]byte(v)))
}

// Bytes is String for a byte slice. b is returned as is when it holds no
// secret, else a new slice.
func (s *Scrubber) Bytes(b []byte) []byte {
	if s.Empty() {
		return b
	}
	for _, f := range s.forms {
		b = scrubForm(b, f)
	}
	return b
}

// scrubForm replaces each run of b that is a prefix of f, MinLen bytes or
// longer, by REDACTED.
func scrubForm(b []byte, f string) []byte {
	head := []byte(f[:MinLen])
	i := bytes.Index(b, head)
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i >= 0 {
		n := MinLen
		for n < len(f) && i+n < len(b) && b[i+n] == f[n] {
			n++
		}
		out = append(out, b[:i]...)
		out = append(out, Redacted...)
		b = b[i+n:]
		i = bytes.Index(b, head)
	}
	return append(out, b...)
}

// Clean makes server-supplied text safe to print on one line: control and
// format characters (line breaks, ESC, C1 codes, bidi overrides, zero-width
// characters) become spaces, invalid UTF-8 becomes U+FFFD, and the result is
// cut to max characters, with "..." when cut. Scrub secrets before calling
// Clean, so that no cut leaves part of one.
func Clean(v string, max int) string {
	if v == "" {
		return v
	}
	var b strings.Builder
	n := 0
	for _, r := range v {
		if n >= max {
			b.WriteString("...")
			break
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			r = ' ' // invalid UTF-8 already ranges as U+FFFD
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// Text scrubs then cleans server-supplied text; see Scrubber.String and Clean.
func Text(v string, s *Scrubber, max int) string {
	return Clean(s.String(v), max)
}
