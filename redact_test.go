package hss

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactQuery(t *testing.T) {
	cases := map[string]string{
		"":                                        "",
		"limit=10&offset=20&registry_name=a%20b":  "limit=10&offset=20&registry_name=a%20b", // nothing secret: as sent
		"task_id=t&limit=10":                      "task_id=t&limit=10",                     // "task" is not "sk"
		"X-Auth-Token=abc&limit=10":               "X-Auth-Token=REDACTED&limit=10",
		"access_key=AK1&sk=s3cr3t":                "access_key=REDACTED&sk=REDACTED",
		"Signature=ff00&password=p&ak=A":          "Signature=REDACTED&ak=REDACTED&password=REDACTED",
		"x-security-token=t1&x-security-token=t2": "x-security-token=REDACTED&x-security-token=REDACTED",
		"credentials=c&my_secret=s":               "credentials=REDACTED&my_secret=REDACTED",
		"a=%zz&token=t":                           "REDACTED", // unparsable: dropped whole
	}
	for in, want := range cases {
		got := redactQuery(in)
		if want == in {
			assert.Equal(t, in, got, "%q", in)
			continue
		}
		// url.Values.Encode sorts keys; compare as sets of pairs.
		assert.ElementsMatch(t, splitPairs(want), splitPairs(got), "%q -> %q", in, got)
	}
}

func splitPairs(q string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(q); i++ {
		if i == len(q) || q[i] == '&' {
			out = append(out, q[start:i])
			start = i + 1
		}
	}
	return out
}

func TestSentSecrets(t *testing.T) {
	h := http.Header{
		"X-Auth-Token":     {"token-value-123"},
		"X-Security-Token": {"security-token-1"},
		"Authorization":    {"SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abcdef0123456789"},
		"User-Agent":       {"hss-go/0.1.0"},
		"X-Short":          {"x"},
	}
	assert.ElementsMatch(t, []string{"token-value-123", "security-token-1", "abcdef0123456789"}, sentSecrets(h),
		"the signature only, not the AK or the header names")
	assert.Equal(t, "a REDACTED b REDACTED", scrub("a token-value-123 b abcdef0123456789", sentSecrets(h)))
}
