package secret

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// spellings returns v and every escaped form of it an echo may take.
func spellings(v string) []string {
	out := []string{v}
	for _, j := range jsonForms(v) {
		out = append(out, j, strings.ReplaceAll(j, "/", `\/`))
	}
	for _, u := range []string{url.QueryEscape(v), url.PathEscape(v)} {
		out = append(out, u, lowerHex(u))
	}
	for _, digits := range []string{lowerDigits, upperDigits} {
		out = append(out, unicodeEscaped(v, digits, true), unicodeEscaped(v, digits, false), netJSONEscaped(v, digits))
	}
	return out
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
