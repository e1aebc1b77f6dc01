package main

import (
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// appendJSONString appends s to b as a JSON string. It escapes what JSON
// requires (", \ and U+0000-U+001F) and also every other unsafe rune (DEL,
// C1 controls, U+2028/U+2029, bidi and zero-width format characters; see
// unsafeRune) as \u escapes, so that a document printed on a terminal
// cannot drive it; encoding/json writes U+009B and U+202E raw. Bytes that
// are not valid UTF-8 become \ufffd. <, > and & stay as they are, as the
// API writes them.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is safe and not yet copied
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if c >= 0x80 && !(r == utf8.RuneError && size == 1) && !unsafeRune(r) {
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r > 0xFFFF:
			r1, r2 := utf16Surrogates(r)
			b = appendUnicodeEscape(appendUnicodeEscape(b, r1), r2)
		default:
			b = appendUnicodeEscape(b, r)
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendUnicodeEscape appends \uHHHH for r, which is at most U+FFFF.
func appendUnicodeEscape(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}

// utf16Surrogates splits a rune beyond U+FFFF into its UTF-16 surrogate
// pair, as JSON escapes it.
func utf16Surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

// member is one member of a JSON object, its value already encoded.
type member struct {
	key   string
	value []byte
}

// jsonNull is a member value that is not known.
var jsonNull = []byte("null")

// jsonInt and jsonStr encode member values.
func jsonInt(n int) []byte    { return strconv.AppendInt(nil, int64(n), 10) }
func jsonStr(s string) []byte { return appendJSONString(nil, s) }

// jsonFloat encodes f with as few digits as read back the same.
func jsonFloat(f float64) []byte { return strconv.AppendFloat(nil, f, 'f', -1, 64) }

// appendMembers appends "k":v pairs, comma-separated, without braces.
func appendMembers(b []byte, ms []member) []byte {
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m.key)
		b = append(b, ':')
		b = append(b, m.value...)
	}
	return b
}
