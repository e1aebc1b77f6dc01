// The hand-written JSON escaper gives what encoding/json writes, with and without HTML escaping.
package secret

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// TestJSONFormsMatchEncodingJSON keeps the hand-written escaper equal to
// encoding/json's, with and without HTML escaping.
func TestJSONFormsMatchEncodingJSON(t *testing.T) {
	cases := []string{"plain", "q\"uote\\back/slash", "a\bb\fc\x01d\x1f\n\r\t", "\u2028\u2029<>&", "\xff\xfe bad", "é😀", "\ufffd real", "\xed\xa0\x80 surrogate", ""}
	for i := 0; i < 256; i++ {
		cases = append(cases, "x"+string(rune(i))+"y")
	}
	for _, v := range cases {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := jsonEscaped(v, true), string(b[1:len(b)-1]); got != want {
			t.Errorf("jsonEscaped(%q, html) = %q, encoding/json writes %q", v, got, want)
		}
		var buf jsonBuffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		want := string(buf[1 : len(buf)-2]) // quotes and newline
		if got := jsonEscaped(v, false); got != want {
			t.Errorf("jsonEscaped(%q) = %q, encoding/json writes %q", v, got, want)
		}
	}
	if !utf8.ValidString(jsonEscaped("\xff", true)) {
		t.Error("invalid UTF-8 must come out as \\ufffd")
	}
}

type jsonBuffer []byte

func (b *jsonBuffer) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }
