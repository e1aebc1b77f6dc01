// Error bodies: the code, message and request id Parse reads from each shape a service or gateway answers with, and the first line of a body that is not JSON.
package errbody

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name, body       string
		code, msg, reqID string
		ok               bool
	}{
		{"HSS", `{"error_code":"HSS.0011","error_msg":"Requested resource not found","request_id":"r-1"}`, "HSS.0011", "Requested resource not found", "r-1", true},
		{"gateway", `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 minute","request_id":"r-2"}`,
			"APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 minute", "r-2", true},
		{"code and message", `{"code":"IAM.0004","message":"The password is wrong."}`, "IAM.0004", "The password is wrong.", "", true},
		{"nested", `{"error":{"code":"IAM.0004","message":"The username or password is wrong.","title":"Unauthorized"}}`, "IAM.0004", "The username or password is wrong.", "", true},
		{"top level wins", `{"error_code":"A","code":"B","error_msg":"m1","message":"m2","error":{"code":"C","message":"m3"}}`, "A", "m1", "", true},
		{"nested fills the gaps", `{"error_msg":"top","error":{"code":"C","message":"nested"}}`, "C", "top", "", true},
		{"numeric code", `{"code":401,"message":"no"}`, "401", "no", "", true},
		{"wrong types", `{"error_code":["x"],"error_msg":{"a":1},"request_id":"r-3"}`, "", "", "r-3", true},
		{"null fields", `{"error_code":null,"error_msg":null}`, "", "", "", true},
		{"error not an object", `{"error":"boom","message":"m"}`, "", "m", "", true},
		{"keys match exactly", `{"Error_Code":"X","ERROR_MSG":"Y"}`, "", "", "", true},
		{"surrounding space", " \n{\"error_code\":\"E\"}\n ", "E", "", "", true},
		{"empty object", `{}`, "", "", "", true},
		{"not JSON", `<html><title>502 Bad Gateway</title></html>`, "", "", "", false},
		{"array", `[{"error_code":"E"}]`, "", "", "", false},
		{"string", `"error"`, "", "", "", false},
		{"truncated", `{"error_code":"E","error_msg":"cut`, "", "", "", false},
		{"empty", ``, "", "", "", false},
		{"trailing garbage", `{"error_code":"E"} x`, "", "", "", false},
	}
	for _, c := range cases {
		code, msg, reqID, ok := Parse([]byte(c.body))
		assert.Equal(t, []any{c.code, c.msg, c.reqID, c.ok}, []any{code, msg, reqID, ok}, c.name)
	}
}

func TestFirstLine(t *testing.T) {
	cases := map[string]string{
		"":                             "",
		"Bad Gateway":                  "Bad Gateway",
		"\n\n  first line  \nsecond\n": "first line",
		"first\r\nsecond":              "first",
		"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>": "502 Bad Gateway",
		"<html>\n<body>\n<h1>Service Unavailable</h1>\n</body>":                             "Service Unavailable",
		"<p>text <b>bold</b> more</p>":                                                      "text",
		"<br/>":                                                                             "",
	}
	for in, want := range cases {
		assert.Equal(t, want, FirstLine([]byte(in)), "%q", in)
	}
	long := FirstLine([]byte(strings.Repeat("x", 100000)))
	assert.LessOrEqual(t, len(long), 410, "a first line is read to a few hundred characters")
	assert.GreaterOrEqual(t, len(long), 400)
}
