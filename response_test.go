// Error answers' bodies: parseErrorBody, fuzzed, never fails and keeps every field bounded, on one line and free of the secret.
package hss

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hsskit/hss/internal/secret"
)

// FuzzErrorBody: reading a non-2xx body never fails or panics, keeps the
// status, scrubs the request's secret from every field and from Body, and
// gives Code, Message and RequestID as bounded, single-line, valid UTF-8
// without control or format characters. Its seed corpus is in
// testdata/fuzz/FuzzErrorBody, next to the seeds below.
func FuzzErrorBody(f *testing.F) {
	const token = "MIIfuzz-secret-token-0123456789"
	for _, s := range []string{
		`{"error_code":"HSS.0011","error_msg":"Requested resource not found.","request_id":"r"}`,
		`{"code":"APIGW.0308","message":"throttled"}`, `{"error":{"code":"E","message":"m"}}`,
		`{"code":12,"message":null}`, `{"error":null}`, `{"error":"str"}`, "plain\r\nmore", "", "\x00\x01\xff",
		`{"error_msg":"bad token ` + token + `","request_id":"` + token[:20] + `"}`,
		"<html><title>" + token + "</title></html>", `{"error_msg":"\u202eevil\u200b\u2028"}`,
	} {
		f.Add(400, []byte(s))
	}
	scrub := secret.NewScrubber(token)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := parseErrorBody(status, append([]byte(nil), body...), scrub)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		if len(e.Body) > len(body) {
			t.Fatalf("Body grew from %d to %d bytes", len(body), len(e.Body))
		}
		if strings.Contains(string(e.Body)+e.Error(), token[:secret.MinLen]) {
			t.Fatalf("the secret survived: %q", e.Error())
		}
		for _, field := range []struct {
			name, v string
			max     int
		}{{"Code", e.Code, 64}, {"Message", e.Message, 512}, {"RequestID", e.RequestID, 128}} {
			if n := utf8.RuneCountInString(field.v); n > field.max+len("...") {
				t.Fatalf("%s holds %d characters", field.name, n)
			}
			if !utf8.ValidString(field.v) {
				t.Fatalf("%s is not valid UTF-8: %q", field.name, field.v)
			}
			for _, r := range field.v {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
					t.Fatalf("%s holds %U: %q", field.name, r, field.v)
				}
			}
		}
	})
}
