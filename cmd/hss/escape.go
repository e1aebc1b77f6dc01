package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// unsafeRune reports whether r can change how a terminal, spreadsheet or
// text viewer shows the text around it, so that server data could fake
// output or drive the terminal: C0 and C1 control characters and DEL
// (ESC, BEL, CSI U+009B, line breaks), the line and paragraph separators
// U+2028 and U+2029, and format characters (Unicode category Cf): the bidi
// marks, embeddings, overrides and isolates (U+200E, U+200F, U+061C,
// U+202A-U+202E, U+2066-U+2069), zero-width characters (U+200B-U+200D,
// U+2060, U+FEFF) and the like.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}

// escapeText returns s with every unsafe rune written as a visible escape:
// \xHH below U+0100, \uHHHH up to U+FFFF, \U00HHHHHH beyond, and every byte
// that is not valid UTF-8 as \xHH. Runes for which replace returns a
// non-negative rune are replaced by it instead of escaped (the table turns
// tabs and line breaks into spaces). Safe text is returned as it is,
// without copying.
func escapeText(s string, replace func(rune) rune) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unsafeRune(r):
			b.WriteString(s[i : i+size])
		case replace != nil && replace(r) >= 0:
			b.WriteRune(replace(r))
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether s holds an unsafe rune or invalid UTF-8.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return true
		}
		i += size
	}
	return false
}

// spaceForBreaks turns tabs and line breaks into spaces, for escapeText:
// a table cell stays on its line and in its column, and reads naturally.
func spaceForBreaks(r rune) rune {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029':
		return ' '
	}
	return -1
}

// keepTab keeps tabs, for escapeText in csv: a tab is plain data in a
// quoted field, while every other control character is escaped, so that
// each record stays on one line for line-based tools.
func keepTab(r rune) rune {
	if r == '\t' {
		return '\t'
	}
	return -1
}
