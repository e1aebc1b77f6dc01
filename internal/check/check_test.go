// Input checks: path ids (dot segments in every spelling, slashes, format characters), tokens, secrets and text, and reasons that never quote the value.
package check

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPathID(t *testing.T) {
	refused := map[string]string{
		"":                      "must be 1-64 characters, got 0",
		strings.Repeat("a", 65): "must be 1-64 characters, got 65",
		strings.Repeat("任", 65): "must be 1-64 characters, got 65",
		"a\xffb":                "must be valid UTF-8",
		"task\n1":               "must not contain control characters",
		"task\x00":              "must not contain control characters",
		"task\u0085":            "must not contain control characters",
		"task\x7f":              "must not contain control characters",
		"task\u200b1":           "must not contain format characters (zero-width or bidi marks)",
		"\u202etask":            "must not contain format characters (zero-width or bidi marks)",
		"\ufefftask":            "must not contain format characters (zero-width or bidi marks)",
		"task\u2060":            "must not contain format characters (zero-width or bidi marks)",
		"a/b":                   `must not contain '/' or '\'`,
		`a\b`:                   `must not contain '/' or '\'`,
		".":                     "must not be a dot segment (. or ..)",
		"..":                    "must not be a dot segment (. or ..)",
		"\uff0e":                "must not be a dot segment (. or ..)", // fullwidth full stop
		"\uff0e\uff0e":          "must not be a dot segment (. or ..)",
		".\uff0e":               "must not be a dot segment (. or ..)",
		"\u2024":                "must not be a dot segment (. or ..)", // one-dot leader
		"\u2024\u2024":          "must not be a dot segment (. or ..)",
		"\ufe52\ufe52":          "must not be a dot segment (. or ..)", // small full stop
		"\u3002":                "must not be a dot segment (. or ..)", // ideographic full stop
		"\uff61\u3002":          "must not be a dot segment (. or ..)", // halfwidth ideographic full stop
		".\u200b.":              "must not contain format characters (zero-width or bidi marks)",
	}
	for v, want := range refused {
		assert.Equal(t, want, PathID(v, 64), "%q", v)
	}
	for _, v := range []string{
		"task-1", "a", strings.Repeat("a", 64), strings.Repeat("任", 64), "...", "a.b", ".a", "..a",
		"\uff0e\uff0e\uff0e", "任务:1", "a b", "a+b", "é",
		"%2F", "..%2F..", // escaped again on the way out: %252F
	} {
		assert.Empty(t, PathID(v, 64), "%q", v)
	}
}

// U+2025 TWO DOT LEADER is one character that NFKC normalises to "..",
// as U+2024 normalises to ".": a gateway that normalises would read it as
// a dot segment.
func TestPathIDTwoDotLeader(t *testing.T) {
	assert.NotEmpty(t, PathID("\u2025", 64))
}

func TestToken(t *testing.T) {
	assert.Empty(t, Token("t"))
	assert.Empty(t, Token(strings.Repeat("t", MaxTokenBytes)))
	assert.Empty(t, Token("MIIE+/=é"))
	for tok, want := range map[string]string{
		"":                                   "must be 1-32768 bytes, got 0",
		strings.Repeat("t", MaxTokenBytes+1): "must be 1-32768 bytes, got 32769",
		// 16,385 characters, 32,770 bytes: the limit counts bytes.
		strings.Repeat("é", MaxTokenBytes/2+1): "must be 1-32768 bytes, got 32770",
		" tok":                                 "must not start or end with white space",
		"tok\u00a0":                            "must not start or end with white space",
		"to\nk":                                "must not contain control characters",
		"tok\r":                                "must not contain control characters",
		"tok\xff":                              "must be valid UTF-8",
	} {
		got := Token(tok)
		assert.Equal(t, want, got, "%.20q", tok)
	}
}

func TestSecretAndText(t *testing.T) {
	assert.Empty(t, Secret("s k/é"))
	assert.Equal(t, "must not start or end with white space", Secret("sk "))
	assert.Equal(t, "must not contain control characters", Secret("s\tk"))

	assert.Empty(t, Text("", 3))
	assert.Empty(t, Text("任务名", 3))
	assert.Equal(t, "must be empty or 1-3 characters, got 4", Text("abcd", 3))
	assert.Equal(t, "must be valid UTF-8", Text("\xff", 3))
	assert.Equal(t, "must not contain control characters", Text("a\nb", 3))
	assert.Empty(t, Text(" padded ", 10), "optional text may have spaces")

	assert.True(t, HasControl("\x1b"))
	assert.True(t, HasControl("\u009b"))
	assert.False(t, HasControl("\u202e"), "format characters are not control characters")
	assert.False(t, HasControl("plain"))
}

// No reason quotes the value it refuses, which may be a secret.
func TestReasonsNeverQuoteTheValue(t *testing.T) {
	const secret = "super-secret-value"
	for _, v := range []string{secret + "\n", " " + secret, secret + "\xff", secret + "/", secret + "\u200b"} {
		for _, reason := range []string{Token(v), Secret(v), Text(v, 5), PathID(v, 64), PathID(v, 3)} {
			assert.NotContains(t, reason, secret)
		}
	}
}
