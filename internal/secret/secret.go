// Package secret keeps credentials out of text that reaches errors and
// logs: it scrubs secrets a server echoed back, in every form an echo
// takes, and makes server-supplied text safe to print on one line.
package secret

import (
	"bytes"
	"encoding/binary"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Redacted is what every secret shows as.
const Redacted = "REDACTED"

// MinLen is the shortest echoed prefix of a secret that is scrubbed:
// a shorter piece cannot be told from ordinary words. A secret shorter than
// MinLen (a 6-character IAM password) is scrubbed only whole.
const MinLen = 8

// Scrubber removes secrets from server-supplied text. The zero value and a
// nil *Scrubber scrub nothing.
type Scrubber struct {
	forms []string // every spelling of every secret, at least MinLen long
	heads []uint64 // the first MinLen bytes of each form
	short []string // the spellings shorter than MinLen, scrubbed only whole
}

// NewScrubber returns a Scrubber for secrets. Each secret is looked for as
// it is, JSON-escaped (with and without HTML escaping, and with "\/" for
// '/'), and URL-escaped (query and path escaping, upper- and lower-case
// hex); any prefix of MinLen or more characters of one of those forms is
// scrubbed too, so an echo cut short leaves nothing. A form shorter than
// MinLen is scrubbed where it stands whole. Empty secrets are ignored.
func NewScrubber(secrets ...string) *Scrubber {
	s := &Scrubber{}
	seen := map[string]bool{}
	add := func(f string) {
		switch {
		case f == "" || seen[f]:
		case len(f) < MinLen:
			seen[f] = true
			s.short = append(s.short, f)
		default:
			seen[f] = true
			s.forms = append(s.forms, f)
			s.heads = append(s.heads, load64([]byte(f), 0))
		}
	}
	for _, v := range secrets {
		if v == "" {
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
		for _, digits := range []string{lowerDigits, upperDigits} {
			add(unicodeEscaped(v, digits, true))
			add(unicodeEscaped(v, digits, false))
			add(netJSONEscaped(v, digits))
		}
	}
	s.short = longestFirst(s.short)
	return s
}

// longestFirst orders short forms so that one inside another does not
// leave the rest of the longer one behind.
func longestFirst(forms []string) []string {
	for i := 1; i < len(forms); i++ { // a handful of forms: insertion sort
		for j := i; j > 0 && len(forms[j]) > len(forms[j-1]); j-- {
			forms[j], forms[j-1] = forms[j-1], forms[j]
		}
	}
	return forms
}

// jsonForms returns v's body as encoding/json writes it, with and without
// HTML escaping. TestJSONFormsMatchEncodingJSON keeps them equal to
// encoding/json's, which the SDK does not link for this.
func jsonForms(v string) []string {
	return []string{jsonEscaped(v, true), jsonEscaped(v, false)}
}

// jsonEscaped escapes v as encoding/json escapes a string's contents.
func jsonEscaped(v string, escapeHTML bool) string {
	b := make([]byte, 0, len(v)+8)
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...) // invalid UTF-8
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r < 0x20, r == '\u2028', r == '\u2029', escapeHTML && (r == '<' || r == '>' || r == '&'):
			b = append(b, '\\', 'u', lowerDigits[r>>12&0xf], lowerDigits[r>>8&0xf], lowerDigits[r>>4&0xf], lowerDigits[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}

// unicodeEscaped writes the characters of v as JSON \uXXXX escapes (a
// surrogate pair beyond the BMP): all of them, or all but ASCII letters and
// digits, as some encoders do. A hostile echo can take either form to slip
// past the usual one. hexDigits is the lower- or upper-case digit set.
func unicodeEscaped(v, hexDigits string, all bool) string {
	b := make([]byte, 0, 6*len(v))
	esc := func(r rune) {
		b = append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
	}
	for _, r := range v {
		switch {
		case !all && r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b = append(b, byte(r))
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			esc(r1)
			esc(r2)
		default:
			esc(r)
		}
	}
	return string(b)
}

// netJSONEscaped escapes v as .NET's System.Text.Json does by default:
// the JSON escapes, and \uXXXX for the characters HTML or JavaScript treat
// specially (< > & ' + `) and for everything outside ASCII.
func netJSONEscaped(v, hexDigits string) string {
	b := make([]byte, 0, len(v)+8)
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20 || r >= utf8.RuneSelf || strings.ContainsRune("<>&'+`", r):
			b = append(b, unicodeEscaped(string(r), hexDigits, true)...)
		default:
			b = append(b, byte(r))
		}
	}
	return string(b)
}

// Hex digit sets for unicodeEscaped.
const (
	lowerDigits = "0123456789abcdef"
	upperDigits = "0123456789ABCDEF"
)

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

// WithHex returns a Scrubber for the secrets of s and the hex string h (a
// signature): its JSON and URL forms are h itself, so only h and its \u
// forms are added, which is cheap enough to do for every request.
func (s *Scrubber) WithHex(h string) *Scrubber {
	if len(h) < MinLen {
		return s
	}
	out := &Scrubber{}
	if s != nil {
		out.forms = append(out.forms, s.forms...)
		out.heads = append(out.heads, s.heads...)
		out.short = s.short
	}
	for _, f := range []string{h, unicodeEscaped(h, lowerDigits, true), unicodeEscaped(h, upperDigits, true)} {
		out.forms = append(out.forms, f)
		out.heads = append(out.heads, load64([]byte(f), 0))
	}
	return out
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
		short: longestFirst(append(append([]string(nil), s.short...), more.short...)),
	}
}

// Empty reports whether s scrubs nothing.
func (s *Scrubber) Empty() bool { return s == nil || len(s.forms)+len(s.short) == 0 }

// String returns v with every echoed secret, or prefix of MinLen or more
// characters of one, replaced by REDACTED.
func (s *Scrubber) String(v string) string {
	if s.Empty() || !s.mayHold(v) {
		return v
	}
	return string(s.Bytes([]byte(v)))
}

// mayHold reports whether v is long enough to hold a secret s scrubs.
func (s *Scrubber) mayHold(v string) bool {
	if len(v) >= MinLen {
		return true
	}
	for _, f := range s.short {
		if strings.Contains(v, f) {
			return true
		}
	}
	return false
}

// Bytes is String for a byte slice. b is returned as is when it holds no
// secret, else a new slice. At each position the longest run that starts
// one of the forms wins, so an echo is scrubbed whole whichever form it
// takes. Scrubbing a secret shorter than REDACTED makes the text longer.
func (s *Scrubber) Bytes(b []byte) []byte {
	if s.Empty() {
		return b
	}
	return s.scrubShort(s.scrubLong(b))
}

// scrubShort replaces every whole short form in b, the longest forms first.
func (s *Scrubber) scrubShort(b []byte) []byte {
	for _, f := range s.short {
		if bytes.Contains(b, []byte(f)) {
			b = bytes.ReplaceAll(b, []byte(f), []byte(Redacted))
		}
	}
	return b
}

// scrubLong replaces every run that is a form, or a prefix of MinLen or
// more bytes of one.
func (s *Scrubber) scrubLong(b []byte) []byte {
	if len(s.forms) == 0 || len(b) < MinLen {
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
