package secret

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// A password with every character that JSON, HTML and URL escaping change.
const awkward = `p<a>s&s"w\o/r d+=?%é`

// jsonBody returns s as encoding/json writes it inside a string, with or
// without HTML escaping.
func jsonBody(s string, escapeHTML bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s)
	b := strings.TrimSpace(buf.String())
	return b[1 : len(b)-1]
}

// Every form in which a server echoes a secret is scrubbed whole. The
// forms share their first characters, so a form that matches only the
// start of an echo must not stop a longer form from matching all of it.
func TestScrubberForms(t *testing.T) {
	s := NewScrubber(awkward)
	forms := map[string]string{
		"raw":                          awkward,
		"JSON, HTML-escaped":           jsonBody(awkward, true),
		"JSON, no HTML escape":         jsonBody(awkward, false),
		`JSON with \/`:                 strings.ReplaceAll(jsonBody(awkward, true), "/", `\/`),
		`JSON with \/, no HTML escape`: strings.ReplaceAll(jsonBody(awkward, false), "/", `\/`),
		"query-escaped":                url.QueryEscape(awkward),
		"path-escaped":                 url.PathEscape(awkward),
	}
	lowerHexQuery := lowerHex(url.QueryEscape(awkward))
	forms["query-escaped, all hex lower-case"] = lowerHexQuery
	forms["path-escaped, all hex lower-case"] = lowerHex(url.PathEscape(awkward))
	assert.NotEqual(t, url.QueryEscape(awkward), lowerHexQuery)
	assert.Contains(t, jsonBody(awkward, true), `\u003c`)

	for name, form := range forms {
		got := s.String(`{"error_msg":"bad password ` + form + ` given"}`)
		assert.Equal(t, `{"error_msg":"bad password REDACTED given"}`, got, name)
	}
}

// An ordinary password with a '/', echoed by a JSON encoder that escapes
// it (PHP's, say): nothing of it may be left.
func TestScrubberSlashEscapedEcho(t *testing.T) {
	s := NewScrubber("Passw0rd/2024-Winter")
	assert.Equal(t, `{"password":"REDACTED"}`, s.String(`{"password":"Passw0rd\/2024-Winter"}`))
	assert.Equal(t, `{"password":"REDACTED"}`, s.String(`{"password":"Passw0rd/2024-Winter"}`))
}

// An echo cut short leaves nothing of 8 characters or more; shorter
// fragments cannot be told from ordinary text and stay.
func TestScrubberPrefixes(t *testing.T) {
	tok := "MIIEhgYJKoZIhvcNAQcCoIIEdzCCBHMCAQExDTALBglghkgBZQMEAgEwggLX"
	s := NewScrubber(tok)
	for n := MinLen; n <= len(tok); n++ {
		got := s.String("token " + tok[:n] + "... cut")
		assert.Equal(t, "token REDACTED... cut", got, "prefix of %d", n)
	}
	assert.Equal(t, "token "+tok[:MinLen-1]+" cut", s.String("token "+tok[:MinLen-1]+" cut"))
	// Two echoes, and one at the very end.
	assert.Equal(t, "REDACTED and REDACTED", s.String(tok+" and "+tok[:20]))
	// An echo that goes on past the secret keeps what follows.
	assert.Equal(t, "REDACTEDXYZ", s.String(tok+"XYZ"))
	// A JSON-escaped prefix of a secret whose escaping starts late.
	s = NewScrubber("abcdefgh<ijklmnop")
	assert.Equal(t, "x REDACTED", s.String(`x abcdefgh\u003cij`))
}

func TestScrubberShortAndEmpty(t *testing.T) {
	assert.True(t, NewScrubber("", "").Empty(), "empty secrets are ignored")

	// A secret under MinLen (IAM allows 6-character passwords) is scrubbed
	// whole, in its escaped forms too, and its pieces are left alone.
	s := NewScrubber("Ab1<&x", "")
	assert.False(t, s.Empty())
	assert.Equal(t, "REDACTED", s.String("Ab1<&x"))
	assert.Equal(t, "bad password REDACTED (id REDACTED)", s.String("bad password Ab1<&x (id Ab1<&x)"))
	assert.Equal(t, `"REDACTED"`, s.String(`"Ab1\u003c\u0026x"`), "JSON-escaped")
	assert.Equal(t, "p=REDACTED", s.String("p=Ab1%3C%26x"), "URL-escaped")
	assert.Equal(t, "Ab1< and &x", s.String("Ab1< and &x"))
	// One short secret inside another: the longer goes first, whole.
	s = NewScrubber("abc", "xabcx")
	assert.Equal(t, "REDACTED REDACTED", s.String("xabcx abc"))
	// With keeps both kinds.
	s = NewScrubber("long-secret-1").With("pw1234")
	assert.Equal(t, "REDACTED REDACTED", s.String("long-secret-1 pw1234"))
	assert.Equal(t, "REDACTED", string(NewScrubber("pw1234").WithHex("0123456789abcdef").Bytes([]byte("pw1234"))))

	var nilScrubber *Scrubber
	assert.True(t, nilScrubber.Empty())
	assert.Equal(t, "secret-value-1", nilScrubber.String("secret-value-1"))
	assert.Equal(t, "x", string(nilScrubber.Bytes([]byte("x"))))
	var zero Scrubber
	assert.Equal(t, "secret-value-1", zero.String("secret-value-1"))

	// Bytes hands back its argument when there is nothing to scrub.
	s = NewScrubber("secret-value-1")
	in := []byte("nothing to see here")
	out := s.Bytes(in)
	assert.Equal(t, &in[0], &out[0])
	assert.Equal(t, "x REDACTED y", string(s.Bytes([]byte("x secret-value-1 y"))))
	assert.Equal(t, "tin", s.String("tin"))
}

func TestScrubberWith(t *testing.T) {
	a := NewScrubber("first-secret")
	b := a.With("second-secret", "tiny")
	assert.Equal(t, "REDACTED REDACTED", b.String("first-secret second-secret"))
	assert.Equal(t, "REDACTED second-secret", a.String("first-secret second-secret"), "With does not change its receiver")

	var none *Scrubber
	assert.Equal(t, "x REDACTED", none.With("third-secret").String("x third-secret"))
	assert.True(t, none.With().Empty())
}

func TestClean(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"", 10, ""},
		{"plain text", 100, "plain text"},
		{"line1\nline2\r\nline3", 100, "line1 line2  line3"},
		{"\x1b[31mred\x1b[0m\a", 100, "[31mred [0m"},
		{"c1\u009bcode", 100, "c1 code"},
		{"bidi\u202eevil\u202c", 100, "bidi evil"},
		{"zero\u200bwidth\ufeff", 100, "zero width"},
		{"line\u2028sep\u2029para", 100, "line sep para"},
		{"bad \xff utf8", 100, "bad \ufffd utf8"},
		{"  padded  ", 100, "padded"},
		{"abcdefghij", 4, "abcd..."},
		{"任务任务任务", 2, "任务..."},
		{"abcd", 4, "abcd"},
	}
	for _, c := range cases {
		got := Clean(c.in, c.max)
		assert.Equal(t, c.want, got, "%q", c.in)
		assert.True(t, utf8.ValidString(got))
	}
}

// Text scrubs before it cuts, so a cut never leaves part of a secret that
// the scrubber would have caught whole.
func TestTextScrubsBeforeCutting(t *testing.T) {
	s := NewScrubber("0123456789abcdef")
	assert.Equal(t, "token REDACTED", Text("token 0123456789abcdef", s, 100))
	assert.Equal(t, "token REDA...", Text("token 0123456789abcdef", s, 10))
	assert.Equal(t, "token 0123...", Text("token 0123456789abcdef", nil, 10))
	assert.Equal(t, "a b", Text("a\nb", s, 10))
}
