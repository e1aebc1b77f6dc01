// Scrubbing: every form of an echoed secret (escaped, cut, a slice from inside) is replaced, short secrets only whole, and Clean makes text one safe line.
package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
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

// A server that echoes a token less its first characters, or any piece of
// it, gets nothing of MinSliceLen or more bytes back.
func TestScrubberSlices(t *testing.T) {
	tok := "MIIabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	s := NewScrubber(tok)
	assert.Equal(t, "500 REDACTED partial", s.String("500 "+tok[3:]+" partial"))
	assert.Equal(t, "bad token REDACTED given", s.String("bad token "+tok[10:40]+" given"))
	assert.Equal(t, "tail REDACTED", s.String("tail "+tok[len(tok)-MinSliceLen:]))
	assert.Equal(t, "REDACTED", s.String(tok[1:]))

	// The bound: every piece of MinSliceLen or more is scrubbed whole, and a
	// piece one byte shorter from inside the token stays.
	for off := 1; off < len(tok); off++ {
		for end := off + MinSliceLen; end <= len(tok); end++ {
			assert.Equal(t, "[REDACTED]", s.String("["+tok[off:end]+"]"), "tok[%d:%d]", off, end)
		}
		if end := off + MinSliceLen - 1; end <= len(tok) {
			in := "[" + tok[off:end] + "]"
			assert.Equal(t, in, s.String(in), "tok[%d:%d]", off, end)
		}
	}

	// Two pieces, and a piece right before and after a whole echo.
	assert.Equal(t, "a REDACTED b REDACTED c", s.String("a "+tok[5:25]+" b "+tok[30:60]+" c"))
	assert.Equal(t, "x REDACTEDREDACTED y", s.String("x "+tok[20:50]+tok+" y"))
	assert.Equal(t, "x REDACTEDREDACTED y", s.String("x "+tok+tok[20:50]+" y"))
	// A piece that runs on into the start of the token is two runs.
	assert.Equal(t, "REDACTEDREDACTED", s.String(tok[40:]+tok[:30]))

	// Bytes hands back its argument when no piece is long enough.
	in := []byte("a piece " + tok[20:20+MinSliceLen-1] + " stays")
	out := s.Bytes(in)
	assert.Equal(t, &in[0], &out[0])
}

// Pieces of the escaped forms of a secret are scrubbed too.
func TestScrubberEscapedSlices(t *testing.T) {
	const key = `wJalrXUtnFEMI/K7MDENG+bPxRfiCY="EXAMPLEKEY"/a+b=c`
	s := NewScrubber(key)
	forms := map[string]string{
		"JSON":          jsonBody(key, true),
		`JSON with \/`:  strings.ReplaceAll(jsonBody(key, false), "/", `\/`),
		"query-escaped": url.QueryEscape(key),
		"path-escaped":  url.PathEscape(key),
		"lower-case %":  lowerHex(url.QueryEscape(key)),
	}
	assert.Contains(t, forms["JSON"], `\"`)
	assert.Contains(t, forms["query-escaped"], "%2F")
	assert.Contains(t, forms["query-escaped"], "%2B")
	assert.Contains(t, forms["query-escaped"], "%3D")
	assert.Contains(t, forms["query-escaped"], "%22")
	for name, f := range forms {
		for _, cut := range [][2]int{{5, 30}, {12, len(f) - 3}, {len(f) - MinSliceLen, len(f)}} {
			got := s.String(`{"msg":"key ` + f[cut[0]:cut[1]] + ` rejected"}`)
			assert.Equal(t, `{"msg":"key REDACTED rejected"}`, got, "%s[%d:%d]", name, cut[0], cut[1])
		}
	}
}

// With and WithHex keep pieces scrubbed, of the old secrets and the new.
func TestScrubberSlicesWith(t *testing.T) {
	tok := "MIIabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	sig := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	s := NewScrubber("pw1234").With(tok).WithHex(sig)
	assert.Equal(t, "a REDACTED b REDACTED c REDACTED", s.String("a "+tok[10:40]+" b "+sig[7:33]+" c pw1234"))
	uSig := unicodeEscaped(sig, upperDigits, true)
	assert.Equal(t, `"REDACTED"`, s.String(`"`+uSig[9:50]+`"`))
	s = NewScrubber(tok).WithHex(sig).With("second-secret-value")
	assert.Equal(t, "REDACTED REDACTED REDACTED", s.String(tok[3:]+" "+sig[1:]+" "+"cond-secret-valu"))
	assert.Equal(t, "REDACTED", NewScrubber().WithHex(sig).String(sig[40:]))
}

// A long token's forms keep every gram that tells something of it: every
// piece of MinSliceLen bytes of its raw and URL-escaped forms is scrubbed.
// Its \u forms hold each "\u00" and character dozens of times, so a piece
// of one is found by the grams that hold two characters: from 31 bytes.
func TestScrubberLongTokenPieces(t *testing.T) {
	tok := randomBase64(1, 8<<10)
	s := NewScrubber(tok)
	for _, f := range []string{tok, url.QueryEscape(tok), lowerHex(url.PathEscape(tok))} {
		for off := 0; off+MinSliceLen <= len(f); off++ {
			if got := s.String("[" + f[off:off+MinSliceLen] + "]"); got != "[REDACTED]" {
				t.Fatalf("piece at %d of %.20q... left: %q", off, f, got)
			}
		}
	}
	u := unicodeEscaped(tok, upperDigits, true)
	for off := 0; off+31 <= 2000; off++ {
		assert.Equal(t, "[REDACTED]", s.String("["+u[off:off+31]+"]"), "\\u piece at %d", off)
	}
	assert.False(t, complete(s), "the \\u forms' repeated grams are dropped")
}

// A secret that repeats itself is still scrubbed whole and by its
// prefixes, and a piece is found by a gram that is not repeated.
func TestScrubberRepeatingSecret(t *testing.T) {
	pw := strings.Repeat("A", 400) + "-tail-of-it"
	s := NewScrubber(pw)
	assert.False(t, complete(s))
	assert.Equal(t, "x REDACTED y", s.String("x "+pw+" y"))
	assert.Equal(t, "x REDACTED y", s.String("x "+pw[:MinLen]+" y"))
	assert.Equal(t, "x REDACTEDREDACTEDREDACTED y", s.String("x "+strings.Repeat("A", 1000)+" y"), "prefixes")
	assert.Equal(t, "x REDACTED y", s.String("x "+pw[len(pw)-MinSliceLen:]+" y"))
	assert.Equal(t, "x REDACTED y", s.String("x "+pw[388:]+" y"), "a prefix of A, and the tail")
	// Where the gram kept is further on, the prefix is scrubbed alone, and
	// less than MinSliceLen of the rest is left.
	assert.Equal(t, "x REDACTED-tail-of-it y", s.String("x "+pw[360:]+" y"))
}

// randomBase64 returns n characters of base64 from a fixed seed.
func randomBase64(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, seed))
	raw := make([]byte, n*3/4+3)
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	return base64.StdEncoding.EncodeToString(raw)[:n]
}

// BenchmarkScrubberBytes scrubs 1 MiB that holds no secret, with an 8 KiB
// token: every position of the text is looked at.
func BenchmarkScrubberBytes(b *testing.B) {
	s := NewScrubber(randomBase64(1, 8<<10))
	text := []byte(randomBase64(2, 1<<20))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if out := s.Bytes(text); &out[0] != &text[0] {
			b.Fatal("scrubbed text that holds no secret")
		}
	}
}

// BenchmarkNewScrubber indexes an 8 KiB token, as for each new credential.
func BenchmarkNewScrubber(b *testing.B) {
	tok := randomBase64(1, 8<<10)
	b.ReportAllocs()
	for b.Loop() {
		NewScrubber(tok)
	}
}

// BenchmarkWithHex adds a signature, as for each request.
func BenchmarkWithHex(b *testing.B) {
	s := NewScrubber(randomBase64(1, 8<<10))
	h := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	b.ReportAllocs()
	for b.Loop() {
		s.WithHex(h)
	}
}
