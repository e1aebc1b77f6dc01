package main

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// roundDuration rounds d as people read it: to the second from 10s up, to
// a tenth of a second from 1s, to the millisecond from 1ms, and to the
// microsecond below. A wait of 59.999998504s reads 1m0s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

// roundDurations rewrites every duration with a fraction in msg, such as
// the SDK's "next call in 9.999998762s", rounded by roundDuration. A
// duration is a word that time.ParseDuration reads: it starts with a
// digit, and no letter or digit stands right before or after it.
func roundDurations(msg string) string {
	if !strings.Contains(msg, ".") {
		return msg
	}
	var b strings.Builder
	done := 0 // msg[:done] is in b
	for i := 0; i < len(msg); {
		r, size := utf8.DecodeRuneInString(msg[i:])
		prev, _ := utf8.DecodeLastRuneInString(msg[:i])
		if r < '0' || r > '9' || i > 0 && (isWordRune(prev) || prev == '.') {
			i += size
			continue
		}
		end := i
		for end < len(msg) {
			c, n := utf8.DecodeRuneInString(msg[end:])
			if !strings.ContainsRune("0123456789.hmsnuµ", c) {
				break
			}
			end += n
		}
		for end > i && msg[end-1] == '.' {
			end-- // a full stop ends the sentence, not the duration
		}
		word := msg[i:end]
		next, _ := utf8.DecodeRuneInString(msg[end:])
		if d, err := time.ParseDuration(word); err == nil && strings.Contains(word, ".") && !isWordRune(next) {
			b.WriteString(msg[done:i])
			b.WriteString(roundDuration(d).String())
			done = end
		}
		i = end
	}
	if done == 0 {
		return msg
	}
	return b.String() + msg[done:]
}

// isWordRune reports whether r is a letter or a digit.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
