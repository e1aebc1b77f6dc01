// Package secret keeps credentials out of text that reaches errors and
// logs: it scrubs secrets a server echoed back, in every form an echo
// takes, and makes server-supplied text safe to print on one line.
package secret

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
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
	heads []uint64 // the first MinLen bytes of each form
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
			s.heads = append(s.heads, load64([]byte(f), 0))
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
		for _, layout := range []string{"%04x", "%04X"} {
			add(unicodeEscaped(v, layout, true))
			add(unicodeEscaped(v, layout, false))
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

// unicodeEscaped writes the characters of v as JSON \uXXXX escapes (a
// surrogate pair beyond the BMP): all of them, or all but ASCII letters and
// digits, as some encoders do. A hostile echo can take either form to slip
// past the usual one.
func unicodeEscaped(v, layout string, all bool) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case !all && r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u`+layout+`\u`+layout, r1, r2)
		default:
			fmt.Fprintf(&b, `\u`+layout, r)
		}
	}
	return b.String()
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
	return &Scrubber{
		forms: append(append([]string(nil), s.forms...), more.forms...),
		heads: append(append([]uint64(nil), s.heads...), more.heads...),
	}
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
// secret, else a new slice. At each position the longest run that starts
// one of the forms wins, so an echo is scrubbed whole whichever form it
// takes.
func (s *Scrubber) Bytes(b []byte) []byte {
	if s.Empty() || len(b) < MinLen {
		return b
	}
	var out []byte
	last := 0
	for i := 0; i+MinLen <= len(b); {
		head := load64(b, i)
		n := 0 // the longest run at i that is a prefix of some form
		for k, f := range s.forms {
			if s.heads[k] != head {
				continue
			}
			m := MinLen
			for m < len(f) && i+m < len(b) && b[i+m] == f[m] {
				m++
			}
			n = max(n, m)
		}
		if n == 0 {
			i++
			continue
		}
		out = append(append(out, b[last:i]...), Redacted...)
		i += n
		last = i
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// load64 reads b[i:i+8] as a number, to compare 8-byte heads at once.
func load64(b []byte, i int) uint64 {
	return binary.LittleEndian.Uint64(b[i : i+MinLen])
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
